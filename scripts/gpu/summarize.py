#!/usr/bin/env python3
"""One table from a kernels_cuda_bench JSON run (and the shared torch baselines, if run).

Each row: case, time per call, achieved TB/s or TFLOP/s, fraction of the roofline
(bench/kernels/roofline_h100.json) and, where the issue sets one, the target and whether it
was met. --rows-out writes the same rows in bench/RESULTS.md's format (to append with cat >>).
Standard library only.
"""
import argparse
import datetime
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"summarize: cannot read {path}: {e}", file=sys.stderr)
        return None


def params(name):
    """'BM_DecodeGemm/M:1/N:16384/K:3072/cublaslt:0/iterations:3/manual_time' -> dict."""
    out = {}
    for part in name.split("/")[1:]:
        if ":" in part:
            k, v = part.split(":", 1)
            out[k] = v
    return name.split("/")[0], out


def target_for(kind, p, roof):
    """(metric, threshold, description) for the issue's targets, or None."""
    t = roof.get("targets", {})
    if kind == "BM_DecodeGemm" and p.get("M") == "1" and p.get("cublaslt") == "0":
        return ("frac_copy", t.get("decode_gemm_b1_copy_fraction"), ">= 85% of copy BW")
    if kind == "BM_DecodeAttention" and p.get("ctx") == "4096":
        return ("frac_copy", t.get("decode_attention_4k_copy_fraction"), ">= 80% of copy BW")
    if kind == "BM_PrefillGemm" and p.get("M") != "8192":
        return ("frac_lt_best", t.get("prefill_gemm_fraction_of_cublaslt_best"),
                ">= 90% of cuBLASLt best")
    if (kind == "BM_PrefillAttention" and p.get("S") == "4096" and p.get("D") == "128"
            and p.get("portable") == "0"):
        return ("TFLOPs", t.get("prefill_attention_d128_4k_causal_TFLOPs"), ">= 350 TFLOP/s")
    if kind in ("BM_RmsNormResidual", "BM_Rope", "BM_SiluMul") and p.get("T") == "4096":
        return ("frac_copy", t.get("elementwise_copy_fraction"), ">= 80% of copy BW")
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--roofline", required=True)
    ap.add_argument("--baselines", default="")
    ap.add_argument("--gpu", default="unknown GPU")
    ap.add_argument("--commit", default="unknown")
    ap.add_argument("--rows-out", default="")
    a = ap.parse_args()

    roof = load(a.roofline) or {}
    bench = load(a.bench)
    rows = []
    if bench:
        for b in bench.get("benchmarks", []):
            name = b.get("name", "?")
            kind, p = params(name)
            short = kind[3:] + "(" + ",".join(f"{k}={v}" for k, v in p.items()
                                              if k not in ("iterations", "manual_time")) + ")"
            if b.get("error_occurred"):
                rows.append((short, "ERROR", b.get("error_message", "")[:60], "", "", ""))
                continue
            us = b.get("us")
            if "TFLOPs" in b:
                value = f"{b['TFLOPs']:.1f} TFLOP/s"
                frac = f"{b.get('frac_gemm', 0):.2f} of {roof.get('gemm_bf16_TFLOPs', '?')}"
            elif "TBps" in b:
                value = f"{b['TBps']:.3f} TB/s"
                frac = f"{b.get('frac_copy', 0):.2f} of {roof.get('copy_TBps', '?')}"
            else:
                value, frac = "", ""
            if "frac_lt_best" in b:
                frac += f"; {b['frac_lt_best']:.2f} of cuBLASLt best"
            tgt = target_for(kind, p, roof)
            verdict, want = "", ""
            if tgt and tgt[1] is not None and tgt[0] in b:
                want = tgt[2]
                verdict = "MET" if b[tgt[0]] >= tgt[1] else "missed"
            rows.append((short, f"{us:.1f} us" if us is not None else "", value, frac, want, verdict))

    header = ("case", "time/call", "achieved", "fraction", "target", "verdict")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(6)]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths))
    print(f"kernels on {a.gpu} (commit {a.commit})")
    print(line(header))
    print(line(tuple("-" * w for w in widths)))
    for r in rows:
        print(line(r))

    base_rows = []
    if a.baselines and os.path.isdir(a.baselines):
        for fname in ("anchor_graph.json", "anchor.json"):
            d = load(os.path.join(a.baselines, fname))
            if not d:
                continue
            for k, v in sorted(d.items()):
                if isinstance(v, (int, float)):
                    base_rows.append((f"torch baseline {fname}:{k}", v))
        if base_rows:
            print("\nshared baselines, same card:")
            for k, v in base_rows:
                print(f"  {k:60s} {v}")

    if a.rows_out:
        date = datetime.date.today().isoformat()
        with open(a.rows_out, "w") as f:
            for r in rows:
                result = "; ".join(x for x in (r[1], r[2], r[3]) if x)
                f.write(f"| {date} | {a.commit} | {a.gpu} | kernels_cuda_bench {r[0]} | "
                        f"{result} | {r[4]} {r[5]} | scripts/gpu/check.sh |\n")
            for k, v in base_rows:
                f.write(f"| {date} | {a.commit} | {a.gpu} | {k} | {v} |  | "
                        f"scripts/gpu/check.sh (../shared/gpu) |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
