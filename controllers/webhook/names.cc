#include "controllers/webhook/names.h"

#include <initializer_list>

namespace kt::webhook {
namespace {

constexpr std::string_view kLabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kLabelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr std::string_view kSubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchesLabel(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

// label(\.label)*
bool MatchesSubdomain(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!MatchesLabel(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// apimachinery's RegexError(msg, fmt, examples...).
std::string RegexError(std::string_view msg, std::string_view fmt,
                       std::initializer_list<std::string_view> examples) {
  std::string out(msg);
  out += " (e.g. ";
  bool first = true;
  for (std::string_view ex : examples) {
    if (!first) out += " or ";
    first = false;
    out += "'";
    out += ex;
    out += "', ";
  }
  out += "regex used for validation is '";
  out += fmt;
  out += "')";
  return out;
}

std::string MaxLenError(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

}  // namespace

std::vector<std::string> IsDns1123Label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1123LabelLengthMax) errs.push_back(MaxLenError(kDns1123LabelLengthMax));
  if (!MatchesLabel(value)) {
    if (MatchesSubdomain(value)) {
      errs.emplace_back("must not contain dots");
    } else {
      errs.push_back(RegexError(kLabelMessage, kLabelFormat, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> IsDns1123Subdomain(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1123SubdomainLengthMax) {
    errs.push_back(MaxLenError(kDns1123SubdomainLengthMax));
  }
  if (!MatchesSubdomain(value)) {
    std::string fmt = std::string(kLabelFormat) + "(\\." + std::string(kLabelFormat) + ")*";
    errs.push_back(RegexError(kSubdomainMessage, fmt, {"example.com"}));
  }
  return errs;
}

ImageCheck CheckImageReference(std::string_view image) {
  // ^(.+/[^:/]+):([^:/]+)$ : the tag follows the last ':'; before it, a non-empty prefix, a
  // '/', and a non-empty last path segment without ':'.
  size_t colon = image.rfind(':');
  if (colon == std::string_view::npos) return ImageCheck::kNotFullReference;
  std::string_view tag = image.substr(colon + 1);
  if (tag.empty() || tag.find('/') != std::string_view::npos) return ImageCheck::kNotFullReference;
  std::string_view head = image.substr(0, colon);
  size_t slash = head.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= head.size()) {
    return ImageCheck::kNotFullReference;
  }
  // ExtractAndValidateRepoName: the part after the last '/' up to ':' must be lower-case.
  std::string_view repo = head.substr(slash + 1);
  if (repo.find(':') != std::string_view::npos) return ImageCheck::kNotFullReference;
  for (char c : repo) {
    if (c >= 'A' && c <= 'Z') return ImageCheck::kRepositoryNotLowercase;
  }
  return ImageCheck::kOk;
}

std::string JoinStrings(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace kt::webhook
