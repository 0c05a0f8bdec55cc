{{- /*
Checks the schema cannot express (relations between values). Each stops the install with a
message naming the value, instead of a pod that crash-loops on a setting error.
*/}}
{{- define "cairn.validate" -}}
{{- $oidc := .Values.config.oidc }}
{{- if $oidc.secret.create }}
{{- if and $oidc.issuerURL (not (and $oidc.clientID $oidc.clientSecret)) }}
{{- fail "config.oidc.clientID and config.oidc.clientSecret are required with config.oidc.issuerURL (or keep them in a Secret: config.oidc.secret.create=false, config.oidc.secret.name=<Secret>)" }}
{{- end }}
{{- if and (not $oidc.issuerURL) (or $oidc.clientID $oidc.clientSecret) }}
{{- fail "config.oidc.issuerURL is required when config.oidc.clientID or clientSecret is set" }}
{{- end }}
{{- else if $oidc.clientSecret }}
{{- fail "config.oidc.clientSecret must stay in the Secret config.oidc.secret.name (key clientSecret) when config.oidc.secret.create is false; remove it from the values" }}
{{- end }}
{{- $public := urlParse (include "cairn.publicUrl" .) }}
{{- $loopback := has $public.hostname (list "localhost" "127.0.0.1" "[::1]" "::1") }}
{{- if and (eq $public.scheme "http") (not $loopback) }}
{{- fail (printf "config.publicUrl %s is plain HTTP: session cookies only travel over HTTPS; give the console's https:// URL (terminate TLS at the Ingress or proxy)" (include "cairn.publicUrl" .)) }}
{{- end }}
{{- if and .Values.config.insecureCookies (not (and (eq $public.scheme "http") $loopback)) }}
{{- fail "config.insecureCookies is only for a console on plain-HTTP localhost; remove it" }}
{{- end }}
{{- /* An `env` entry the chart also sets would leave two values and a guess which wins. */}}
{{- $containers := list (include "cairn.gatewayContainer" . | fromYamlArray) (include "cairn.authContainer" . | fromYamlArray) }}
{{- if .Values.allInOne }}{{ $containers = append $containers (include "cairn.consoleContainer" . | fromYamlArray) }}{{ end }}
{{- range $container := $containers }}
{{- $seen := dict }}
{{- range (index $container 0).env }}
{{- if hasKey $seen .name }}
{{- fail (printf "env: %s is already set by the chart for the %s container; use the matching config value instead" .name (index $container 0).name) }}
{{- end }}
{{- $_ := set $seen .name true }}
{{- end }}
{{- end }}
{{- with .Values.config.impersonation }}
{{- if and .enabled (not $.Values.config.inCluster) }}
{{- fail "config.impersonation.enabled reaches the in-cluster cluster by impersonation, and needs config.inCluster=true" }}
{{- end }}
{{- if and .kubeconfigClusters (not $.Values.config.kubeconfigSecret) }}
{{- fail "config.impersonation.kubeconfigClusters names contexts of config.kubeconfigSecret, which is not set" }}
{{- end }}
{{- if or (hasPrefix "system:" .usernamePrefix) (hasPrefix "system:" .groupsPrefix) }}
{{- fail "config.impersonation.usernamePrefix and groupsPrefix must not start with system:, which Kubernetes reserves for its own users and groups" }}
{{- end }}
{{- if and (or .enabled .kubeconfigClusters) (not (include "cairn.oidcEnabled" $)) }}
{{- fail "config.impersonation acts only for people signed in through the OpenID provider: set config.oidc (issuerURL, clientID, clientSecret or its Secret)" }}
{{- end }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- end }}
