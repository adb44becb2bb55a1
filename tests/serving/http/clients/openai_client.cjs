// The official `openai` npm client against a running kaito-serve (tiny random model):
// models.list, chat.completions (plain and streaming with usage), completions, and the
// client's error classes for a bad request and an unknown model. Exits non-zero on failure.
const OpenAI = require("openai");
const assert = require("assert");

async function main() {
  const base = process.argv[2];
  const model = process.argv[3];
  const client = new OpenAI({ baseURL: base + "/v1", apiKey: "not-needed", maxRetries: 0 });

  const models = await client.models.list();
  const ids = models.data.map((m) => m.id);
  assert.ok(ids.includes(model), `models.list has ${model}: ${ids}`);
  console.log("models.list:", ids.join(","));

  const chat = await client.chat.completions.create({
    model,
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello!" }],
    max_tokens: 8,
    temperature: 0,
  });
  assert.strictEqual(chat.object, "chat.completion");
  assert.strictEqual(chat.choices[0].message.role, "assistant");
  assert.strictEqual(typeof chat.choices[0].message.content, "string");
  assert.ok(["stop", "length"].includes(chat.choices[0].finish_reason));
  assert.ok(chat.usage.completion_tokens >= 1 && chat.usage.completion_tokens <= 8);
  assert.strictEqual(chat.usage.total_tokens, chat.usage.prompt_tokens + chat.usage.completion_tokens);
  console.log("chat.completions:", JSON.stringify(chat.choices[0].message.content), chat.usage);

  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello!" }],
    max_tokens: 8,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let usage = null;
  let finish = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      if (c.delta && c.delta.content) text += c.delta.content;
      if (c.finish_reason) finish = c.finish_reason;
    }
  }
  assert.strictEqual(text, chat.choices[0].message.content, "streamed text equals the plain answer");
  assert.strictEqual(finish, chat.choices[0].finish_reason);
  assert.ok(usage && usage.completion_tokens === chat.usage.completion_tokens, "usage chunk");
  console.log(`chat.completions stream: ${chunks} chunks, same text, usage`, usage);

  const comp = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 5, temperature: 0 });
  assert.strictEqual(comp.object, "text_completion");
  assert.strictEqual(comp.usage.completion_tokens, 5);
  const compStream = await client.completions.create({
    model, prompt: "Once upon a time", max_tokens: 5, temperature: 0, stream: true,
  });
  let ctext = "";
  for await (const chunk of compStream) ctext += chunk.choices.map((c) => c.text).join("");
  assert.strictEqual(ctext, comp.choices[0].text);
  console.log("completions:", JSON.stringify(comp.choices[0].text), "(stream agrees)");

  await assert.rejects(
    client.completions.create({ model, prompt: "x", max_tokens: -1 }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && /max_tokens/.test(e.message));
  await assert.rejects(
    client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] }),
    (e) => e instanceof OpenAI.NotFoundError && e.status === 404);
  console.log("errors: BadRequestError and NotFoundError as expected");
}

main().catch((e) => {
  console.error("FAILED:", e);
  process.exit(1);
});
