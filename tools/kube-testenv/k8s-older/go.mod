// The older kube-apiserver of the test environment (see ../build.sh, set "older"):
// v1.29, the last minor without aggregated discovery v2 (it serves v2beta1), so the
// gateway's discovery fallback, lists, details and apply are tested against it too.
// Only kube-apiserver is built, with -tags providerless (the legacy cloud providers are
// left out, as Kubernetes' own providerless build does; their module has no v0.29 release
// on the module proxy). Staging modules are replaced with v0.29.6 of the same release;
// the ones kube-apiserver does not import (endpointslice, kube-controller-manager, the
// samples, legacy-cloud-providers) are not on the proxy at v0.29.6 and are left out.
// No `go mod tidy` here: it would look at every build tag. After editing, run
// `GOTOOLCHAIN=local go build -mod=mod -tags providerless -o /dev/null k8s.io/kubernetes/cmd/kube-apiserver`.
module cairn.local/tools/kube-testenv/k8s-older

go 1.26.0

replace (
	k8s.io/api => k8s.io/api v0.29.6
	k8s.io/apiextensions-apiserver => k8s.io/apiextensions-apiserver v0.29.6
	k8s.io/apimachinery => k8s.io/apimachinery v0.29.6
	k8s.io/apiserver => k8s.io/apiserver v0.29.6
	k8s.io/cli-runtime => k8s.io/cli-runtime v0.29.6
	k8s.io/client-go => k8s.io/client-go v0.29.6
	k8s.io/cloud-provider => k8s.io/cloud-provider v0.29.6
	k8s.io/cluster-bootstrap => k8s.io/cluster-bootstrap v0.29.6
	k8s.io/code-generator => k8s.io/code-generator v0.29.6
	k8s.io/component-base => k8s.io/component-base v0.29.6
	k8s.io/component-helpers => k8s.io/component-helpers v0.29.6
	k8s.io/controller-manager => k8s.io/controller-manager v0.29.6
	k8s.io/cri-api => k8s.io/cri-api v0.29.6
	k8s.io/csi-translation-lib => k8s.io/csi-translation-lib v0.29.6
	k8s.io/dynamic-resource-allocation => k8s.io/dynamic-resource-allocation v0.29.6
	k8s.io/kms => k8s.io/kms v0.29.6
	k8s.io/kube-aggregator => k8s.io/kube-aggregator v0.29.6
	k8s.io/kube-proxy => k8s.io/kube-proxy v0.29.6
	k8s.io/kube-scheduler => k8s.io/kube-scheduler v0.29.6
	k8s.io/kubectl => k8s.io/kubectl v0.29.6
	k8s.io/kubelet => k8s.io/kubelet v0.29.6
	k8s.io/metrics => k8s.io/metrics v0.29.6
	k8s.io/mount-utils => k8s.io/mount-utils v0.29.6
	k8s.io/pod-security-admission => k8s.io/pod-security-admission v0.29.6
)

require k8s.io/kubernetes v1.29.6
