# shellcheck shell=bash
# Sourced by bash scripts: makes a Go toolchain >= 1.24 available.
#
#   . scripts/lib/go-env.sh
#   moisinno_go_env          # sets GO to the path of a suitable `go` command
#   "$GO" build ...
#
# Order of preference:
#   1. $MOISINNO_GO, `go` on PATH, /usr/local/go/bin/go, if version >= 1.24;
#   2. a Go 1.21+ (e.g. from a backport) with GOTOOLCHAIN=<pinned>+auto: the
#      go command fetches the golang.org/toolchain module itself;
#   3. Debian's golang-go (1.19 on bookworm; installed with apt-get if
#      missing), which predates GOTOOLCHAIN: it is used only to download the
#      golang.org/toolchain module through the Go module proxy (GOPROXY), and
#      the go command of that module is then used directly, as the go command
#      itself would do.
# Progress and errors go to stderr; stdout is left alone.

# Pinned toolchain for the fallbacks (golang.org/toolchain module version).
: "${MOISINNO_GO_TOOLCHAIN:=go1.24.13}"
MOISINNO_GO_MIN_MINOR=24

# _moisinno_go_minor GO: prints the minor version of a Go 1.x command.
_moisinno_go_minor() {
	local v
	# GOTOOLCHAIN=local: ask this binary, not a toolchain it would switch to.
	v=$(cd / && GOTOOLCHAIN=local GOFLAGS='' "$1" env GOVERSION 2>/dev/null) || return 1
	v=${v#devel }
	[[ $v =~ ^go1\.([0-9]+) ]] || return 1
	printf '%s\n' "${BASH_REMATCH[1]}"
}

# _moisinno_go_ok GO: true if GO runs and is at least 1.MIN.
_moisinno_go_ok() {
	local m
	[[ -n $1 && -x $1 ]] || return 1
	m=$(_moisinno_go_minor "$1") || return 1
	((m >= MOISINNO_GO_MIN_MINOR))
}

_moisinno_apt_install_go() {
	local sudo=() log
	if [[ $(id -u) != 0 ]]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo=(sudo)
		else
			echo "go-env: Go >= 1.$MOISINNO_GO_MIN_MINOR is needed; install golang-go (apt-get install golang-go) as root" >&2
			return 1
		fi
	fi
	echo "go-env: installing Debian's golang-go…" >&2
	log=$(mktemp)
	if ! { DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q golang-go >"$log" 2>&1 ||
		{ "${sudo[@]}" apt-get update -q >>"$log" 2>&1 &&
			DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q golang-go >>"$log" 2>&1; }; }; then
		tail -n 20 "$log" >&2
		rm -f "$log"
		echo "go-env: apt-get install golang-go failed" >&2
		return 1
	fi
	rm -f "$log"
}

# moisinno_go_env: sets and exports GO (path of a go command >= 1.24).
moisinno_go_env() {
	local c boot="" m tc arch os modcache dir out

	for c in "${MOISINNO_GO:-}" "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go; do
		if _moisinno_go_ok "$c"; then
			GO=$c
			export GO
			return 0
		fi
	done

	tc=$MOISINNO_GO_TOOLCHAIN

	# Any Go at all, to bootstrap from.
	for c in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
		if [[ -n $c && -x $c ]] && _moisinno_go_minor "$c" >/dev/null; then
			boot=$c
			break
		fi
	done
	if [[ -z $boot ]]; then
		_moisinno_apt_install_go || return 1
		boot=/usr/lib/go/bin/go
		[[ -x $boot ]] || boot=$(command -v go 2>/dev/null || true)
		if [[ -z $boot ]] || ! _moisinno_go_minor "$boot" >/dev/null; then
			echo "go-env: no usable go command after installing golang-go" >&2
			return 1
		fi
	fi
	m=$(_moisinno_go_minor "$boot")

	if ((m >= 21)); then
		# The go command switches toolchains itself.
		export GOTOOLCHAIN="$tc+auto"
		if ! out=$(cd / && GOFLAGS='' "$boot" env GOVERSION 2>&1) || [[ ! $out =~ go1\.([0-9]+) ]] ||
			((BASH_REMATCH[1] < MOISINNO_GO_MIN_MINOR)); then
			printf '%s\n' "$out" >&2
			echo "go-env: could not obtain $tc through GOTOOLCHAIN" >&2
			return 1
		fi
		GO=$boot
		export GO
		return 0
	fi

	# Go < 1.21 (Debian bookworm's 1.19): fetch the toolchain module ourselves.
	os=$(cd / && GOFLAGS='' "$boot" env GOHOSTOS) || return 1
	arch=$(cd / && GOFLAGS='' "$boot" env GOHOSTARCH) || return 1
	modcache=$(cd / && GOFLAGS='' "$boot" env GOMODCACHE) || return 1
	dir="$modcache/golang.org/toolchain@v0.0.1-$tc.$os-$arch"
	if [[ ! -f $dir/bin/go ]]; then
		echo "go-env: $boot is too old; downloading $tc ($os/$arch) through the Go module proxy…" >&2
		if ! out=$(cd / && GOFLAGS='' GO111MODULE=on "$boot" mod download -json "golang.org/toolchain@v0.0.1-$tc.$os-$arch" 2>&1) ||
			[[ ! -f $dir/bin/go ]]; then
			printf '%s\n' "$out" >&2
			echo "go-env: could not download golang.org/toolchain@v0.0.1-$tc.$os-$arch" >&2
			return 1
		fi
	fi
	if [[ ! -x $dir/bin/go ]]; then
		# Module zips carry no file modes; set the execute bits as the go
		# command does after a toolchain download (tools first, bin/go last).
		find "$dir/pkg/tool" -type f -exec chmod a+x {} + &&
			find "$dir/bin" -type f -exec chmod a+x {} + || return 1
	fi
	if ! _moisinno_go_ok "$dir/bin/go"; then
		echo "go-env: $dir/bin/go does not run" >&2
		return 1
	fi
	export GOROOT=$dir
	GO=$dir/bin/go
	export GO
}
