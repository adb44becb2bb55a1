#include "sim/cluster/container_behavior.h"

#include <cstdlib>
#include <optional>
#include <vector>

#include "base/json.h"

namespace kt::sim::cluster {

namespace {

std::optional<std::string> Annotation(const Json& pod, const std::string& field,
                                      const std::string& container) {
  const Json* ann = FindPath(pod, "metadata.annotations");
  if (ann == nullptr || !ann->is_object()) return std::nullopt;
  std::string base = std::string(kAnnotationPrefix) + field;
  for (const std::string& key : {base + "." + container, base}) {
    auto it = ann->find(key);
    if (it != ann->end() && it->is_string()) return it->get<std::string>();
  }
  return std::nullopt;
}

std::optional<double> ParseSeconds(std::string_view s) {
  std::string t(s);
  if (!t.empty() && t.back() == 's') t.pop_back();
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end == nullptr || *end != '\0' || !(v >= 0)) return std::nullopt;
  return v;
}

std::optional<int> ParseExitCode(std::string_view s) {
  std::string t(s);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  long v = std::strtol(t.c_str(), &end, 10);
  if (*end != '\0' || v < 0 || v > 255) return std::nullopt;
  return static_cast<int>(v);
}

// Splits the command line into words: ';' and '&&' become ";", '||' and a lone '&' stay words
// of their own (GuessFromCommand gives up on them).
std::vector<std::string> Words(const Json& container) {
  const std::string line = CommandLine(container);
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(std::move(cur));
    cur.clear();
  };
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'') {
      flush();
    } else if (c == ';') {
      flush();
      words.push_back(";");
    } else if ((c == '&' || c == '|') && i + 1 < line.size() && line[i + 1] == c) {
      flush();
      words.push_back(c == '&' ? ";" : "||");
      ++i;
    } else if (c == '&') {
      flush();
      words.push_back("&");
    } else {
      cur += c;
    }
  }
  flush();
  return words;
}

struct CommandGuess {
  bool recognized = false;
  std::optional<double> run_s;  // nullopt with recognized: never exits
  int exit_code = 0;
};

// Words after which the script's course depends on what the commands return (conditions,
// loops, alternatives, background jobs): a guess from its sleeps and exits would be wrong, e.g.
// "for try in 1 2 3; do curl ... && break; sleep 1; done; [ ok ] || exit 1" does not exit 1.
bool IsControlFlow(const std::string& word) {
  static const char* const kWords[] = {"if",   "then", "else", "elif", "fi", "for", "while",
                                       "until", "do",  "done", "case", "esac", "{",  "}",
                                       "(",     ")",   "||",   "&",    "["};
  for (const char* k : kWords) {
    if (word == k) return true;
  }
  return false;
}

CommandGuess GuessFromCommand(const Json& container) {
  std::vector<std::string> w = Words(container);
  CommandGuess g;
  if (w.empty()) return g;
  for (const std::string& word : w) {
    if (IsControlFlow(word)) return g;
  }
  double total = 0;
  bool forever = false;
  bool exits = false;
  int code = 0;
  bool simple_exit = false;  // a command that simply runs and exits (true, echo, ...)
  bool at_command_start = true;
  for (size_t i = 0; i < w.size(); ++i) {
    const std::string& word = w[i];
    if (word == ";") {
      at_command_start = true;
      continue;
    }
    if (!at_command_start) continue;
    at_command_start = false;
    if (word == "sh" || word == "bash" || word == "/bin/sh" || word == "/bin/bash" ||
        word == "-c") {
      at_command_start = true;  // the shell's script follows
      continue;
    }
    if (word == "sleep" && i + 1 < w.size()) {
      if (w[i + 1] == "infinity") {
        forever = true;
      } else if (auto s = ParseSeconds(w[i + 1])) {
        total += *s;
        g.recognized = true;
      }
    } else if (word == "exit") {
      code = i + 1 < w.size() ? ParseExitCode(w[i + 1]).value_or(0) : 0;
      exits = true;
      break;
    } else if (word == "true" || word == "echo" || word == "date" || word == "printenv" ||
               word == "env" || word == "/bin/true") {
      simple_exit = true;
    } else if (word == "false" || word == "/bin/false") {
      code = 1;
      exits = true;
      break;
    }
  }
  if (forever) {
    g.recognized = true;
    g.run_s.reset();
    return g;
  }
  if (exits || g.recognized || simple_exit) {
    g.recognized = true;
    g.run_s = total;
    g.exit_code = code;
  }
  return g;
}

}  // namespace

std::string CommandLine(const Json& container) {
  std::string line;
  for (const char* field : {"command", "args"}) {
    const Json* a = FindPath(container, field);
    if (a == nullptr || !a->is_array()) continue;
    for (const auto& w : *a) {
      if (!w.is_string()) continue;
      if (!line.empty()) line += ' ';
      line += w.get<std::string>();
    }
  }
  return line;
}

ImageFacts ContainerBehavior(const ImageCatalog& images, const Json& pod, const Json& container,
                             bool init_container) {
  ImageFacts f = images.Lookup(GetString(container, "image"), CommandLine(container), init_container);
  CommandGuess g = GuessFromCommand(container);
  if (g.recognized) {
    f.run_s = g.run_s;
    f.exit_code = g.exit_code;
  }
  const std::string name = GetString(container, "name");
  if (auto v = Annotation(pod, "load-seconds", name)) {
    if (auto s = ParseSeconds(*v)) f.load_s = *s;
  }
  if (auto v = Annotation(pod, "run-seconds", name)) {
    if (*v == "never") {
      f.run_s.reset();
    } else if (auto s = ParseSeconds(*v)) {
      f.run_s = *s;
    }
  }
  if (auto v = Annotation(pod, "exit-code", name)) {
    if (auto c = ParseExitCode(*v)) f.exit_code = *c;
  }
  if (auto v = Annotation(pod, "stop-seconds", name)) {
    if (auto s = ParseSeconds(*v)) f.stop_s = *s;
  }
  if (auto v = Annotation(pod, "gpu-memory-gib", name)) {
    if (auto s = ParseSeconds(*v)) f.gpu_memory_gib = *s;
  }
  return f;
}

}  // namespace kt::sim::cluster
