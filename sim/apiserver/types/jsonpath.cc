#include "sim/apiserver/types/jsonpath.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

namespace kt::sim {

struct JsonPath::Step {
  enum class Kind { kField, kWildcard, kRecursive, kIndex, kSlice, kUnion, kFilter };
  Kind kind = Kind::kField;
  std::string name;                       // kField; kRecursive: the field after ".."
  bool recursive_wildcard = false;        // "..*"
  int64_t index = 0;                      // kIndex
  std::optional<int64_t> start, end;      // kSlice
  int64_t step = 1;                       // kSlice
  std::vector<std::string> keys;          // kUnion of quoted keys
  std::vector<int64_t> indices;           // kUnion of indices
  // kFilter: left path (relative to @), operator ("" = exists), literal right side.
  std::vector<std::shared_ptr<const Step>> left;
  std::string op;
  Json right;
};

JsonPath::JsonPath() = default;
JsonPath::~JsonPath() = default;
JsonPath::JsonPath(const JsonPath&) = default;
JsonPath& JsonPath::operator=(const JsonPath&) = default;
JsonPath::JsonPath(JsonPath&&) noexcept = default;
JsonPath& JsonPath::operator=(JsonPath&&) noexcept = default;

namespace {

using Step = JsonPath::Step;
using StepPtr = std::shared_ptr<const Step>;

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-' || c == '/' || c == '$';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<std::vector<StepPtr>> Path(bool relative) {
    std::vector<StepPtr> steps;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (relative && (c == ')' || c == ' ' || c == '=' || c == '!' || c == '<' || c == '>')) break;
      if (c == '.') {
        ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '.') {
          ++pos_;
          auto st = std::make_shared<Step>();
          st->kind = Step::Kind::kRecursive;
          if (pos_ < s_.size() && s_[pos_] == '*') {
            ++pos_;
            st->recursive_wildcard = true;
          } else if (pos_ < s_.size() && s_[pos_] == '[') {
            st->recursive_wildcard = true;  // "..[?()]": every node, then the bracket step
            steps.push_back(st);
            continue;
          } else {
            st->name = Ident();
            if (st->name.empty()) return Error("expected a field name after '..'");
          }
          steps.push_back(st);
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == '*') {
          ++pos_;
          auto st = std::make_shared<Step>();
          st->kind = Step::Kind::kWildcard;
          steps.push_back(st);
          continue;
        }
        if (pos_ == s_.size() || s_[pos_] == '[' || s_[pos_] == '.') continue;  // "." alone: self
        std::string name = Ident();
        if (name.empty()) return Error("unexpected character");
        auto st = std::make_shared<Step>();
        st->name = std::move(name);
        steps.push_back(st);
      } else if (c == '[') {
        KT_ASSIGN_OR_RETURN(StepPtr st, Bracket());
        steps.push_back(std::move(st));
      } else if (c == '@' && relative && steps.empty()) {
        ++pos_;
      } else if (c == '$' && steps.empty()) {
        ++pos_;
      } else if ((IsIdentChar(c) || c == '\\') && steps.empty() && !relative) {
        // "metadata.name" without the leading dot
        auto st = std::make_shared<Step>();
        st->name = Ident();
        steps.push_back(st);
      } else {
        return Error("unexpected character");
      }
      if (steps.size() > 256) return Error("path has too many steps");
    }
    return steps;
  }

  size_t pos() const { return pos_; }

 private:
  // A field name; "\\." escapes a dot that belongs to the name (node\\.kubernetes\\.io/zone).
  std::string Ident() {
    std::string out;
    while (pos_ < s_.size()) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
        out += s_[pos_ + 1];
        pos_ += 2;
      } else if (IsIdentChar(s_[pos_])) {
        out += s_[pos_++];
      } else {
        break;
      }
    }
    return out;
  }

  Status Error(std::string_view what) const {
    return BadRequest("invalid JSONPath " + std::string(s_) + ": " + std::string(what) +
                      " at position " + std::to_string(pos_));
  }

  void SkipSpaces() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }

  Result<std::string> Quoted() {
    char q = s_[pos_++];
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_++];
    }
    if (pos_ >= s_.size()) return Error("unterminated string");
    ++pos_;
    return out;
  }

  std::optional<int64_t> Int() {
    size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    size_t digits = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9' && pos_ - digits < 15) ++pos_;
    if (pos_ == digits) {
      pos_ = start;
      return std::nullopt;
    }
    return std::stoll(std::string(s_.substr(start, pos_ - start)));
  }

  Result<StepPtr> Bracket() {
    ++pos_;  // '['
    SkipSpaces();
    if (pos_ >= s_.size()) return Error("unterminated '['");
    auto st = std::make_shared<Step>();
    char c = s_[pos_];
    if (c == '?') {
      KT_RETURN_IF_ERROR(Filter(*st));
    } else if (c == '*') {
      ++pos_;
      st->kind = Step::Kind::kWildcard;
    } else if (c == '\'' || c == '"') {
      st->kind = Step::Kind::kUnion;
      while (true) {
        KT_ASSIGN_OR_RETURN(std::string k, Quoted());
        st->keys.push_back(std::move(k));
        SkipSpaces();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          SkipSpaces();
          if (pos_ < s_.size() && (s_[pos_] == '\'' || s_[pos_] == '"')) continue;
          return Error("expected a quoted key");
        }
        break;
      }
      if (st->keys.size() == 1) {
        st->kind = Step::Kind::kField;
        st->name = st->keys[0];
      }
    } else {
      std::optional<int64_t> a = Int();
      SkipSpaces();
      if (pos_ < s_.size() && s_[pos_] == ':') {
        st->kind = Step::Kind::kSlice;
        st->start = a;
        ++pos_;
        st->end = Int();
        if (pos_ < s_.size() && s_[pos_] == ':') {
          ++pos_;
          std::optional<int64_t> step = Int();
          if (step) st->step = *step;
          if (st->step == 0) return Error("slice step must not be 0");
        }
      } else if (a) {
        st->kind = Step::Kind::kIndex;
        st->index = *a;
        while (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          SkipSpaces();
          std::optional<int64_t> b = Int();
          if (!b) return Error("expected an index");
          if (st->indices.empty()) st->indices.push_back(st->index);
          st->indices.push_back(*b);
          st->kind = Step::Kind::kUnion;
        }
      } else {
        return Error("expected an index, a slice, a quoted key, '*' or a filter");
      }
    }
    SkipSpaces();
    if (pos_ >= s_.size() || s_[pos_] != ']') return Error("expected ']'");
    ++pos_;
    return StepPtr(st);
  }

  Status Filter(Step& st) {
    st.kind = Step::Kind::kFilter;
    ++pos_;  // '?'
    if (pos_ >= s_.size() || s_[pos_] != '(') return Error("expected '(' after '?'");
    ++pos_;
    SkipSpaces();
    if (pos_ >= s_.size() || s_[pos_] != '@') return Error("a filter must start with @");
    KT_ASSIGN_OR_RETURN(st.left, Path(/*relative=*/true));
    SkipSpaces();
    if (pos_ < s_.size() && s_[pos_] != ')') {
      for (const char* op : {"==", "!=", "<=", ">=", "<", ">", "="}) {
        std::string_view o(op);
        if (s_.substr(pos_, o.size()) == o) {
          st.op = o == "=" ? "==" : std::string(o);
          pos_ += o.size();
          break;
        }
      }
      if (st.op.empty()) return Error("expected a comparison operator");
      SkipSpaces();
      if (pos_ >= s_.size()) return Error("expected a value");
      char c = s_[pos_];
      if (c == '\'' || c == '"') {
        KT_ASSIGN_OR_RETURN(std::string v, Quoted());
        st.right = v;
      } else if (s_.substr(pos_, 4) == "true") {
        st.right = true;
        pos_ += 4;
      } else if (s_.substr(pos_, 5) == "false") {
        st.right = false;
        pos_ += 5;
      } else {
        size_t start = pos_;
        while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
                                    s_[pos_] == '.' || s_[pos_] == '-' || s_[pos_] == 'e')) {
          ++pos_;
        }
        if (pos_ == start) return Error("expected a literal");
        char* endp = nullptr;
        std::string num(s_.substr(start, pos_ - start));
        double d = std::strtod(num.c_str(), &endp);
        if (endp == nullptr || *endp != '\0') return Error("invalid number");
        st.right = d;
      }
      SkipSpaces();
    }
    if (pos_ >= s_.size() || s_[pos_] != ')') return Error("expected ')'");
    ++pos_;
    return Status::Ok();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

constexpr int kRecursionDepthMax = 128;

class Evaluator {
 public:
  explicit Evaluator(size_t max) : max_(max) {}

  std::vector<const Json*> Run(const std::vector<StepPtr>& steps, const Json& root) {
    std::vector<const Json*> cur{&root};
    for (const StepPtr& st : steps) {
      std::vector<const Json*> next;
      for (const Json* v : cur) {
        Apply(*st, *v, next);
        if (next.size() >= max_) break;
      }
      cur = std::move(next);
      if (cur.empty()) break;
    }
    if (cur.size() > max_) cur.resize(max_);
    return cur;
  }

 private:
  void Push(std::vector<const Json*>& out, const Json* v) {
    if (out.size() < max_) out.push_back(v);
  }

  void Descend(const Json& v, const Step& st, std::vector<const Json*>& out, int depth) {
    if (depth > kRecursionDepthMax || out.size() >= max_) return;
    if (st.recursive_wildcard) Push(out, &v);
    if (v.is_object()) {
      if (!st.recursive_wildcard) {
        auto it = v.find(st.name);
        if (it != v.end()) Push(out, &*it);
      }
      for (const auto& [k, child] : v.items()) Descend(child, st, out, depth + 1);
    } else if (v.is_array()) {
      for (const Json& child : v) Descend(child, st, out, depth + 1);
    }
  }

  static int64_t Norm(int64_t i, int64_t n) { return i < 0 ? i + n : i; }

  void Apply(const Step& st, const Json& v, std::vector<const Json*>& out) {
    switch (st.kind) {
      case Step::Kind::kField:
        if (v.is_object()) {
          auto it = v.find(st.name);
          if (it != v.end()) Push(out, &*it);
        }
        break;
      case Step::Kind::kWildcard:
        if (v.is_object() || v.is_array()) {
          for (const Json& child : v) Push(out, &child);
        }
        break;
      case Step::Kind::kRecursive:
        Descend(v, st, out, 0);
        break;
      case Step::Kind::kIndex:
        if (v.is_array()) {
          int64_t n = static_cast<int64_t>(v.size());
          int64_t i = Norm(st.index, n);
          if (i >= 0 && i < n) Push(out, &v[static_cast<size_t>(i)]);
        }
        break;
      case Step::Kind::kSlice:
        if (v.is_array()) {
          int64_t n = static_cast<int64_t>(v.size());
          if (st.step > 0) {
            int64_t a = std::clamp<int64_t>(st.start ? Norm(*st.start, n) : 0, 0, n);
            int64_t b = std::clamp<int64_t>(st.end ? Norm(*st.end, n) : n, 0, n);
            for (int64_t i = a; i < b; i += st.step) Push(out, &v[static_cast<size_t>(i)]);
          } else {
            int64_t a = std::clamp<int64_t>(st.start ? Norm(*st.start, n) : n - 1, -1, n - 1);
            int64_t b = std::clamp<int64_t>(st.end ? Norm(*st.end, n) : -1, -1, n - 1);
            for (int64_t i = a; i > b; i += st.step) Push(out, &v[static_cast<size_t>(i)]);
          }
        }
        break;
      case Step::Kind::kUnion:
        if (v.is_object()) {
          for (const std::string& k : st.keys) {
            auto it = v.find(k);
            if (it != v.end()) Push(out, &*it);
          }
        } else if (v.is_array()) {
          int64_t n = static_cast<int64_t>(v.size());
          for (int64_t idx : st.indices) {
            int64_t i = Norm(idx, n);
            if (i >= 0 && i < n) Push(out, &v[static_cast<size_t>(i)]);
          }
        }
        break;
      case Step::Kind::kFilter:
        if (v.is_array()) {
          for (const Json& e : v) {
            if (Matches(st, e)) Push(out, &e);
          }
        } else if (v.is_object() && Matches(st, v)) {
          Push(out, &v);
        }
        break;
    }
  }

  bool Matches(const Step& st, const Json& e) {
    Evaluator sub(16);
    std::vector<const Json*> left = sub.Run(st.left, e);
    if (st.op.empty()) return !left.empty();
    for (const Json* l : left) {
      if (Compare(*l, st.op, st.right)) return true;
    }
    return false;
  }

  static bool Compare(const Json& l, const std::string& op, const Json& r) {
    if (l.is_number() && r.is_number()) {
      double a = l.get<double>(), b = r.get<double>();
      if (op == "==") return a == b;
      if (op == "!=") return a != b;
      if (op == "<") return a < b;
      if (op == "<=") return a <= b;
      if (op == ">") return a > b;
      if (op == ">=") return a >= b;
      return false;
    }
    if (l.is_string() && r.is_string()) {
      const auto& a = l.get_ref<const std::string&>();
      const auto& b = r.get_ref<const std::string&>();
      if (op == "==") return a == b;
      if (op == "!=") return a != b;
      if (op == "<") return a < b;
      if (op == "<=") return a <= b;
      if (op == ">") return a > b;
      if (op == ">=") return a >= b;
      return false;
    }
    if (op == "==") return l == r;
    if (op == "!=") return l != r;
    return false;
  }

  size_t max_;
};

}  // namespace

Result<JsonPath> JsonPath::Parse(std::string_view expression) {
  if (expression.size() > kJsonPathBytesMax) {
    return BadRequest("JSONPath longer than " + std::to_string(kJsonPathBytesMax) + " bytes");
  }
  std::string_view e = expression;
  while (!e.empty() && e.front() == ' ') e.remove_prefix(1);
  while (!e.empty() && e.back() == ' ') e.remove_suffix(1);
  if (e.size() >= 2 && e.front() == '{' && e.back() == '}') e = e.substr(1, e.size() - 2);
  if (e.empty()) return BadRequest("invalid JSONPath: empty expression");
  Parser p(e);
  KT_ASSIGN_OR_RETURN(auto steps, p.Path(/*relative=*/false));
  if (p.pos() != e.size()) return BadRequest("invalid JSONPath " + std::string(e));
  JsonPath out;
  out.steps_ = std::move(steps);
  return out;
}

std::vector<const Json*> JsonPath::Eval(const Json& root, size_t max_results) const {
  return Evaluator(max_results).Run(steps_, root);
}

const Json* JsonPath::First(const Json& root) const {
  auto r = Eval(root, 1);
  return r.empty() ? nullptr : r[0];
}

std::string JsonPath::Text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "<nil>";
  return DumpJson(v);
}

}  // namespace kt::sim
