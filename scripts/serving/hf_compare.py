#!/usr/bin/env python3
"""Compare kaito-serve's logits with Hugging Face transformers on the same checkpoint.

What it does
  1. Picks (or writes) a safetensors checkpoint directory:
       --model-dir DIR            an existing Hugging Face model directory, or
       --preset NAME --seed N     kaito-serve writes random weights for a preset with
                                  `kaito-serve save-random` (tiny-* presets take seconds).
  2. Runs the token ids through transformers (AutoModelForCausalLM, float32, eager attention
     by default) and through `kaito-serve dump-logits` (the CPU backend, or the CUDA one with
     --device cuda, which runs bf16: compare it with --hf-dtype bfloat16 and a looser
     --tolerance),
     optionally with a PEFT LoRA adapter applied at a strength (--adapter DIR --strength S).
  3. Prints, per position, the largest |kaito - hf| relative to the largest |hf| logit, and
     whether the argmax agrees; exits 1 when the worst relative error exceeds --tolerance.

Where it runs
  Anywhere with python3, torch and transformers (peft for --adapter), e.g. the GPU machine;
  the comparison itself runs on the CPU unless --hf-device cuda is given. kaito-serve must be
  built (--kaito-serve PATH, default build-serving/bin/kaito-serve).

Semantics worth knowing before reading a mismatch
  * Sliding window: kaito-serve uses the mask of transformers' eager/SDPA paths (query i sees
    keys j with i - W < j <= i). Flash-attention builds of some transformers versions keep one
    more key (W + 1); compare with --attn eager (default) or sdpa.
  * LongRoPE (Phi-3 128k): transformers picks long/short factors per forward pass from the
    sequence length, so a prefill of P tokens rotates all of them with one factor set. With
    --prefill K < len(tokens) kaito-serve decodes the rest one token at a time, and this
    script runs transformers the same way (a prefill forward, then cached one-token steps).
  * bf16 checkpoints are compared in float32 on both sides (--hf-dtype float32). With
    --hf-dtype bfloat16 expect relative errors around 1e-2.
  * Strength: Kaito's transformers runtime merges adapters with PEFT's add_weighted_adapter
    (combination_type "svd", weights = strengths). For one adapter that equals scaling its
    delta by the strength, which is what --strength does here (layer.scaling *= strength).

Examples
  scripts/serving/hf_compare.py --preset tiny-phi3 --seed 1
  scripts/serving/hf_compare.py --preset tiny-phi3-longrope --seed 2 --length 100 --prefill 50
  scripts/serving/hf_compare.py --preset tiny-llama3 --seed 3 --adapter-rank 8 --strength 0.5
  scripts/serving/hf_compare.py --model-dir /models/Phi-3-mini-4k-instruct --length 64
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kaito-serve", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                          "build-serving", "bin", "kaito-serve"))
    p.add_argument("--model-dir", help="existing Hugging Face checkpoint directory")
    p.add_argument("--preset", help="write random weights for this preset instead")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--save-dtype", default="float32", choices=["float32", "bfloat16"])
    p.add_argument("--tokens", help="comma-separated token ids (default: random)")
    p.add_argument("--length", type=int, default=48, help="number of random tokens")
    p.add_argument("--prefill", type=int, default=0,
                   help="tokens in the first forward pass; the rest are decoded one at a time")
    p.add_argument("--adapter", help="PEFT adapter directory to apply")
    p.add_argument("--adapter-rank", type=int, default=0,
                   help="with --preset: also write a random adapter of this rank")
    p.add_argument("--strength", type=float, default=1.0)
    p.add_argument("--attn", default="eager", choices=["eager", "sdpa"])
    p.add_argument("--hf-dtype", default="float32", choices=["float32", "bfloat16"])
    p.add_argument("--hf-device", default="cpu")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                   help="kaito-serve's kernels (dump-logits --device)")
    p.add_argument("--tolerance", type=float, default=1e-3,
                   help="worst allowed relative error (float32)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return p.parse_args()


def run(cmd):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def hf_logits(model_dir, tokens, prefill, adapter, strength, attn, dtype, device):
    import torch
    from transformers import AutoModelForCausalLM

    torch_dtype = torch.float32 if dtype == "float32" else torch.bfloat16
    model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch_dtype,
                                                 attn_implementation=attn)
    if adapter:
        from peft import PeftModel
        model = PeftModel.from_pretrained(model, adapter)
        if strength != 1.0:
            # Kaito: add_weighted_adapter([name], [strength]) == scaling the delta by strength.
            for module in model.modules():
                if hasattr(module, "scaling") and isinstance(module.scaling, dict):
                    for k in module.scaling:
                        module.scaling[k] *= strength
    model.to(device).eval()
    ids = torch.tensor([tokens], device=device)
    rows = []
    with torch.no_grad():
        if prefill <= 0 or prefill >= len(tokens):
            out = model(ids)
            rows = out.logits[0].float().cpu().tolist()
        else:
            out = model(ids[:, :prefill], use_cache=True)
            rows = out.logits[0].float().cpu().tolist()
            past = out.past_key_values
            for p in range(prefill, len(tokens)):
                out = model(ids[:, p:p + 1], past_key_values=past, use_cache=True,
                            position_ids=torch.tensor([[p]], device=device))
                past = out.past_key_values
                rows.append(out.logits[0, -1].float().cpu().tolist())
    return rows


def main():
    a = parse_args()
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as e:
        # Not an error: this machine cannot run the comparison. Exit 0 so that a test (or CI)
        # where torch is absent skips instead of failing, and say so on stdout.
        print(f"SKIP: hf_compare.py needs torch and transformers ({e}); run it where they are "
              "installed, e.g. the GPU machine", flush=True)
        return 0
    work = tempfile.mkdtemp(prefix="hf-compare-")
    try:
        model_dir = a.model_dir
        adapter = a.adapter
        if not model_dir:
            if not a.preset:
                sys.exit("give --model-dir or --preset")
            model_dir = os.path.join(work, "model")
            cmd = [a.kaito_serve, "save-random", "--preset", a.preset, "--seed", str(a.seed),
                   "--out", model_dir, "--dtype", a.save_dtype]
            if a.adapter_rank > 0 and not adapter:
                adapter = os.path.join(work, "adapter")
                cmd += ["--adapter-out", adapter, "--adapter-rank", str(a.adapter_rank)]
            run(cmd)
        with open(os.path.join(model_dir, "config.json")) as f:
            vocab = json.load(f)["vocab_size"]
        if a.tokens:
            tokens = [int(t) for t in a.tokens.split(",")]
        else:
            rng = random.Random(a.seed)
            tokens = [rng.randrange(3, vocab) for _ in range(a.length)]
        out = os.path.join(work, "kaito.json")
        cmd = [a.kaito_serve, "dump-logits", "--model-dir", model_dir,
               "--tokens", ",".join(map(str, tokens)), "--device", a.device, "--out", out]
        if a.prefill:
            cmd += ["--prefill", str(a.prefill)]
        if adapter:
            cmd += ["--adapter", f"a={adapter}:{a.strength}"]
        run(cmd)
        with open(out) as f:
            kaito = json.load(f)["logits"]
        hf = hf_logits(model_dir, tokens, a.prefill, adapter, a.strength, a.attn, a.hf_dtype,
                       a.hf_device)
        assert len(hf) == len(kaito) == len(tokens), (len(hf), len(kaito), len(tokens))
        worst = 0.0
        argmax_agree = 0
        for p, (k, h) in enumerate(zip(kaito, hf)):
            scale = max(1.0, max(abs(x) for x in h))
            err = max(abs(x - y) for x, y in zip(k, h)) / scale
            worst = max(worst, err)
            agree = max(range(len(k)), key=k.__getitem__) == max(range(len(h)), key=h.__getitem__)
            argmax_agree += agree
            if p < 4 or p >= len(tokens) - 4 or err > a.tolerance:
                print(f"position {p:5d}: relative error {err:.3e}  argmax {'same' if agree else 'DIFFERENT'}")
        print(f"worst relative error {worst:.3e} over {len(tokens)} positions; "
              f"argmax agrees at {argmax_agree}/{len(tokens)}")
        if worst > a.tolerance:
            print(f"FAIL: above the tolerance {a.tolerance}")
            return 1
        print("OK")
        return 0
    finally:
        if a.keep:
            print("kept", work)
        else:
            import shutil
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
