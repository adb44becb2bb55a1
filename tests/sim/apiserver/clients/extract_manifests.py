"""Extracts the Kubernetes manifests (YAML code blocks with apiVersion and kind) from the
user's seed document(s) into OUT_DIR/NNN.yaml, for the client tests to apply. The seed is read
at test time from ../shared and never copied into the repository."""
import re
import sys


def blocks(text):
    # Fenced code blocks; the language tag is optional.
    for m in re.finditer(r"```[a-zA-Z]*\n(.*?)```", text, re.S):
        yield m.group(1)


def manifests(block):
    # A block may hold shell around a manifest ("$ cat x.yaml" then YAML): keep from the first
    # apiVersion line on, and only blocks that look like a manifest.
    lines = block.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("apiVersion:"):
            rest = lines[i:]
            # The manifest ends where a shell prompt line starts.
            for j, l in enumerate(rest):
                if l.startswith("$ "):
                    rest = rest[:j]
                    break
            body = "\n".join(rest)
            if re.search(r"^kind:", body, re.M):
                return body + "\n"
    return None


def main():
    out_dir, files = sys.argv[1], sys.argv[2:]
    n = 0
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for block in blocks(text):
            body = manifests(block)
            if body is None:
                continue
            n += 1
            with open(f"{out_dir}/{n:03d}.yaml", "w", encoding="utf-8") as out:
                out.write(body)
    print(f"{n} manifests extracted")


if __name__ == "__main__":
    main()
