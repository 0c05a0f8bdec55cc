#!/usr/bin/env bash
# Builds the pinned, real Kubernetes control plane used by Cairn's tests and dev
# environment: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl (module ./k8s), kwok (module ./kwok) and helm (module ./helm).
#
#   build.sh          that set ("current")
#   build.sh older    only the older kube-apiserver (module ./k8s-older, v1.29: no
#                     aggregated discovery v2), for the tests that run against both
#   build.sh metrics  only metrics-server (module ./metrics-server), which the dev
#                     cluster serves through the API server's aggregation layer
#
# The binaries are cached under
#   ${CAIRN_KUBE_CACHE:-$HOME/.cache/cairn/kube-testenv}/<key>/bin
# where <key> is derived from the set's go.mod/go.sum pairs, the Go version, the
# platform and RECIPE below. kwok's stage configs are copied to <key>/kwok-stages/.
# A cache hit returns at once; a cold build takes 10-25 minutes on 2 cores.
#
# Progress goes to stderr; on success the last line (stdout) is the bin dir.
#
# Environment:
#   CAIRN_KUBE_CACHE   cache root (default: $HOME/.cache/cairn/kube-testenv)
#   CAIRN_KUBE_NICE    nice level for the compiler (default: 10)
#   CAIRN_KUBE_REBUILD set to 1 to rebuild even when the cache is complete
set -euo pipefail

# Bump when the build recipe (flags, outputs) changes, to invalidate old caches.
RECIPE=1

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
NICE="${CAIRN_KUBE_NICE:-10}"
CACHE_ROOT="${CAIRN_KUBE_CACHE:-${HOME}/.cache/cairn/kube-testenv}"
SET="${1:-current}"
case "${SET}" in
  current)
    MODULES=(k8s kwok helm)
    K8S_MODULE=k8s
    BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok helm)
    ;;
  older)
    MODULES=(k8s-older)
    K8S_MODULE=k8s-older
    BINARIES=(kube-apiserver)
    ;;
  metrics)
    MODULES=(metrics-server)
    K8S_MODULE=""
    BINARIES=(metrics-server)
    ;;
  *)
    printf 'kube-testenv: unknown set "%s" (expected: current, older or metrics)\n' "${SET}" >&2
    exit 2
    ;;
esac

log() { printf '%s\n' "$*" >&2; }
die() { log "kube-testenv: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH (Go >= 1.26 is needed)"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is not on PATH"

# --- cache key --------------------------------------------------------------
go_version="$(go env GOVERSION)"
go_platform="$(go env GOOS)/$(go env GOARCH)"
if [[ "${SET}" == metrics ]]; then
  ms_version="$(sed -n 's/^[[:space:]]*\(require[[:space:]]\+\)\?sigs\.k8s\.io\/metrics-server v\([^ ]*\).*/v\2/p' "${HERE}/metrics-server/go.mod" | head -n1)"
  [[ -n "${ms_version}" ]] || die "cannot read the sigs.k8s.io/metrics-server version from metrics-server/go.mod"
  KEY_PREFIX="metrics-server-${ms_version}"
else
  k8s_version="$(sed -n 's/^[[:space:]]*\(require[[:space:]]\+\)\?k8s\.io\/kubernetes v\([^ ]*\).*/v\2/p' "${HERE}/${K8S_MODULE}/go.mod" | head -n1)"
  [[ -n "${k8s_version}" ]] || die "cannot read the k8s.io/kubernetes version from ${K8S_MODULE}/go.mod"
  KEY_PREFIX="k8s-${k8s_version}"
fi
hash="$(
  {
    printf 'recipe=%s\ngo=%s\nplatform=%s\n' "${RECIPE}" "${go_version}" "${go_platform}"
    for m in "${MODULES[@]}"; do
      printf '== %s/go.mod\n' "$m"; cat "${HERE}/${m}/go.mod"
      printf '== %s/go.sum\n' "$m"; cat "${HERE}/${m}/go.sum"
    done
  } | sha256sum | cut -c1-16
)"
KEY="${KEY_PREFIX}-${hash}"
OUT="${CACHE_ROOT}/${KEY}"
BIN="${OUT}/bin"

is_complete() {
  local dir="$1" b
  for b in "${BINARIES[@]}"; do
    [[ -x "${dir}/bin/${b}" ]] || return 1
  done
  [[ -f "${dir}/versions.txt" ]] || return 1
  [[ "${SET}" != current || -d "${dir}/kwok-stages" ]]
}

if [[ "${CAIRN_KUBE_REBUILD:-0}" != 1 ]] && is_complete "${OUT}"; then
  log "kube-testenv: cache hit (${KEY})"
  printf '%s\n' "${BIN}"
  exit 0
fi

mkdir -p "${CACHE_ROOT}"
# One build per key at a time; a second caller waits and then finds the cache.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${CACHE_ROOT}/.${KEY}.lock"
  if ! flock -n 9; then
    log "kube-testenv: another build of ${KEY} is running; waiting for it ..."
    flock 9
  fi
  if [[ "${CAIRN_KUBE_REBUILD:-0}" != 1 ]] && is_complete "${OUT}"; then
    log "kube-testenv: cache hit (${KEY})"
    printf '%s\n' "${BIN}"
    exit 0
  fi
fi

# --- build into a temporary dir next to the cache, then rename it in place ---
TMP="$(mktemp -d "${CACHE_ROOT}/.tmp-${KEY}-XXXXXX")"
# The EXIT trap runs on every way out (success, failure, signal). It must never fail
# itself: under `set -e` a false last command in a trap becomes the script's exit status,
# which once turned every successful cold build into "exit 1".
cleanup() {
  if [[ -n "${TMP:-}" && -d "${TMP}" ]]; then
    chmod -R u+w "${TMP}" 2>/dev/null || true
    rm -rf "${TMP}" || true
  fi
  return 0
}
trap cleanup EXIT
on_signal() { # on_signal <exit status>: 130 for SIGINT, 143 for SIGTERM (128 + signal number)
  trap - INT TERM
  log "kube-testenv: interrupted; nothing was added to the cache"
  # TERM, not INT: a background job of a non-interactive shell starts with SIGINT ignored.
  if [[ -n "${CHILD:-}" ]]; then kill -TERM "${CHILD}" 2>/dev/null || true; wait "${CHILD}" 2>/dev/null || true; fi
  exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
chmod 755 "${TMP}"
mkdir -p "${TMP}/bin"

start_all=${SECONDS}
log "kube-testenv: cold build of ${KEY} (${go_version}, ${go_platform}) into ${OUT}"

# Module versions, as resolved by each pinned module.
modver() { (cd "${HERE}/$1" && go list -m -f '{{.Version}}' "$2"); }
modtime() { (cd "${HERE}/$1" && go list -m -f '{{with .Time}}{{.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' "$2"); }

step=0
total=$(( ${#BINARIES[@]} + $([[ "${SET}" == current ]] && echo 1 || echo 0) ))
phase() { # phase <label> <command...>: runs a step with progress and timing
  local label="$1"; shift
  local t0=${SECONDS}
  step=$((step + 1))
  log "[${step}/${total}] ${label} ..."
  if ! "$@"; then
    die "[${step}/${total}] ${label} FAILED after $((SECONDS - t0))s (the output above says why); nothing was added to the cache"
  fi
  log "[${step}/${total}] ${label} done in $((SECONDS - t0))s (total $((SECONDS - start_all))s)"
}

CHILD=""
gobuild() { # gobuild <module dir> <output name> <ldflags> <package> [build tags]
  # In the background so that an interrupt is handled at once, not after the build.
  (cd "${HERE}/$1" && exec nice -n "${NICE}" go build -trimpath ${5:+-tags "$5"} -ldflags "$3" -o "${TMP}/bin/$2" "$4") &
  CHILD=$!
  local rc=0
  wait "${CHILD}" || rc=$?
  CHILD=""
  return "${rc}"
}

if [[ "${SET}" == metrics ]]; then
  # As metrics-server's own release build: its tag in client-go's version package
  # (what `metrics-server --version` and its /version print).
  ms_date="$(modtime metrics-server sigs.k8s.io/metrics-server)"
  MS_LDFLAGS="-s -w -X k8s.io/client-go/pkg/version.gitVersion=${ms_version} -X k8s.io/client-go/pkg/version.gitTreeState=clean"
  MS_LDFLAGS+=" -X k8s.io/client-go/pkg/version.buildDate=${ms_date:-1970-01-01T00:00:00Z}"
  phase "building metrics-server ${ms_version}" gobuild metrics-server metrics-server "${MS_LDFLAGS}" sigs.k8s.io/metrics-server/cmd/metrics-server
  cat >"${TMP}/versions.txt" <<EOF
key=${KEY}
go=${go_version} ${go_platform}
metrics-server=${ms_version}
EOF
else
# Kubernetes components: the real version, not v0.0.0-master.
k8s_minor="${k8s_version#v1.}"; k8s_minor="${k8s_minor%%.*}"
k8s_date="$(modtime "${K8S_MODULE}" k8s.io/kubernetes)"
K8S_LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  K8S_LDFLAGS+=" -X ${pkg}.gitVersion=${k8s_version} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${k8s_minor}"
  K8S_LDFLAGS+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.gitCommit= -X ${pkg}.buildDate=${k8s_date:-1970-01-01T00:00:00Z}"
done

if [[ "${SET}" == older ]]; then
  # providerless: Kubernetes' own build tag that leaves out the legacy cloud providers.
  phase "building kube-apiserver ${k8s_version} (older set)" gobuild "${K8S_MODULE}" kube-apiserver "${K8S_LDFLAGS}" k8s.io/kubernetes/cmd/kube-apiserver providerless
  cat >"${TMP}/versions.txt" <<EOF
key=${KEY}
go=${go_version} ${go_platform}
kubernetes=${k8s_version}
EOF
else
  # Helm: its release version, and the Kubernetes version of its client modules
  # as the default .Capabilities.KubeVersion (as helm's own release build does).
  helm_version="$(modver helm helm.sh/helm/v3)"
  helm_k8s="$(modver helm k8s.io/client-go)"; helm_k8s_minor="${helm_k8s#v0.}"; helm_k8s_minor="${helm_k8s_minor%%.*}"
  HELM_LDFLAGS="-s -w -X helm.sh/helm/v3/internal/version.version=${helm_version} -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    HELM_LDFLAGS+=" -X ${pkg}.k8sVersionMajor=1 -X ${pkg}.k8sVersionMinor=${helm_k8s_minor}"
  done

  kwok_version="$(modver kwok sigs.k8s.io/kwok)"
  etcd_version="$(modver k8s go.etcd.io/etcd/server/v3)"

  phase "building etcd ${etcd_version}" gobuild k8s etcd "-s -w" go.etcd.io/etcd/server/v3
  phase "building kube-apiserver ${k8s_version}" gobuild k8s kube-apiserver "${K8S_LDFLAGS}" k8s.io/kubernetes/cmd/kube-apiserver
  phase "building kube-controller-manager ${k8s_version}" gobuild k8s kube-controller-manager "${K8S_LDFLAGS}" k8s.io/kubernetes/cmd/kube-controller-manager
  phase "building kube-scheduler ${k8s_version}" gobuild k8s kube-scheduler "${K8S_LDFLAGS}" k8s.io/kubernetes/cmd/kube-scheduler
  phase "building kubectl ${k8s_version}" gobuild k8s kubectl "${K8S_LDFLAGS}" k8s.io/kubernetes/cmd/kubectl
  phase "building kwok ${kwok_version}" gobuild kwok kwok "-s -w" sigs.k8s.io/kwok/cmd/kwok
  phase "building helm ${helm_version}" gobuild helm helm "${HELM_LDFLAGS}" helm.sh/helm/v3/cmd/helm

  copy_stages() { # kwok has no built-in stages: ship its stage configs (no tests/docs)
    local src
    src="$(cd "${HERE}/kwok" && go mod download sigs.k8s.io/kwok && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage"
    [[ -d "${src}" ]] || { log "no stage dir at ${src}"; return 1; }
    mkdir -p "${TMP}/kwok-stages"
    (cd "${src}" && find . -path '*/testdata' -prune -o -type f -name '*.yaml' ! -name kustomization.yaml -print0 |
      xargs -0 cp --parents -t "${TMP}/kwok-stages") || return 1
    chmod -R u+w,a+rX "${TMP}/kwok-stages"
    [[ -n "$(find "${TMP}/kwok-stages" -name '*.yaml' -print -quit)" ]]
  }
  phase "copying kwok stage configs" copy_stages

  cat >"${TMP}/versions.txt" <<EOF
key=${KEY}
go=${go_version} ${go_platform}
kubernetes=${k8s_version}
etcd=${etcd_version}
kwok=${kwok_version}
helm=${helm_version}
EOF
fi
fi # metrics / Kubernetes sets

# Publish atomically: the key dir appears only when everything is in it.
if [[ -e "${OUT}" ]]; then
  chmod -R u+w "${OUT}" 2>/dev/null || true
  rm -rf "${OUT}"
fi
mv -T "${TMP}" "${OUT}"
TMP=""
log "kube-testenv: built ${#BINARIES[@]} binaries in $((SECONDS - start_all))s into ${OUT}"
printf '%s\n' "${BIN}"
exit 0
