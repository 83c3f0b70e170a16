# shellcheck shell=bash
# Sourced by scripts/dist/helm.sh and scripts/test-dist/helm.sh: a venv holding Helm's engine.
# No Debian package or npm/PyPI package ships the helm binary; helm-python-sdk binds Helm's own
# Go SDK (v4) as a shared library, so charts are linted, rendered and packaged by Helm itself.
HELM_ENGINE_VENV="$PWD/target/tools/helm-engine"
export HELM_ENGINE_PY="$HELM_ENGINE_VENV/bin/python"
helm_engine() {
  local want="helm-python-sdk==0.2.2 pyyaml==6.0.3 kubernetes-validate==1.37.0"
  if [ ! -f "$HELM_ENGINE_VENV/.installed" ] || [ "$(cat "$HELM_ENGINE_VENV/.installed")" != "$want" ]; then
    echo "installing into $HELM_ENGINE_VENV: $want (Helm's engine, about 75 MB)"
    rm -rf "$HELM_ENGINE_VENV"
    python3 -m venv "$HELM_ENGINE_VENV"
    # shellcheck disable=SC2086 # the package list splits on purpose
    "$HELM_ENGINE_VENV/bin/pip" install --quiet --disable-pip-version-check $want
    # The wheel holds the 85 MB library three times (wheels cannot hold symlinks); keep one.
    local dir lib
    dir=$(echo "$HELM_ENGINE_VENV"/lib/python3*/site-packages/helm_python/lib)
    for lib in "$dir/libhelm_c.so" "$dir/libhelm_c.so.0"; do
      if [ ! -L "$lib" ] && cmp -s "$lib" "$dir/libhelm_c.so.0.2.2"; then
        ln -sf libhelm_c.so.0.2.2 "$lib"
      fi
    done
    echo "$want" > "$HELM_ENGINE_VENV/.installed"
  fi
}
