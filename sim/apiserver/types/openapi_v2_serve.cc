// ServeOpenApiV2: content negotiation (JSON or gnostic protobuf) and ETag/If-None-Match for
// GET /openapi/v2, as kube-apiserver answers it.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/sha256.h"
#include "sim/apiserver/types/openapi_v2.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim {
namespace {

enum class Format { kNone, kJson, kProtobuf };

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Format FormatOf(const std::string& media_type) {
  if (media_type == "application/json" || media_type == "application/*" || media_type == "*/*") {
    return Format::kJson;
  }
  if (media_type == "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" ||
      media_type == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf") {
    return Format::kProtobuf;
  }
  return Format::kNone;
}

// The format of the best media range: highest q first (q=0 never), ties in header order.
Format Negotiate(std::string_view accept) {
  if (Trim(accept).empty()) return Format::kJson;
  struct Candidate {
    double q;
    Format format;
  };
  std::vector<Candidate> candidates;
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    std::string_view range =
        accept.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? accept.size() + 1 : comma + 1;
    size_t semi = range.find(';');
    Format f = FormatOf(Lower(Trim(range.substr(0, semi))));
    double q = 1;
    while (semi != std::string_view::npos) {
      size_t next = range.find(';', semi + 1);
      std::string_view param = Trim(range.substr(semi + 1, next == std::string_view::npos
                                                               ? std::string_view::npos
                                                               : next - semi - 1));
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        std::string_view w = param.substr(2);
        auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), q);
        if (ec != std::errc() || end != w.data() + w.size()) q = 0;  // unreadable: not acceptable
      }
      semi = next;
    }
    if (f != Format::kNone && q > 0) candidates.push_back({q, f});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.q > b.q; });
  return candidates.empty() ? Format::kNone : candidates.front().format;
}

std::string QuotedHash(std::string_view body) {
  std::string hex = Sha256Hex(body);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "\"" + hex + "\"";
}

// If-None-Match: "*", or a comma-separated list of (possibly weak, W/"...") entity tags.
bool NoneMatchHits(std::string_view header, const std::string& etag) {
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    std::string_view tag =
        Trim(header.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    start = comma == std::string_view::npos ? header.size() + 1 : comma + 1;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

}  // namespace

Result<OpenApiV2Reply> ServeOpenApiV2(const TypeRegistry& types, std::string_view accept,
                                      std::string_view if_none_match) {
  Format format = Negotiate(accept);
  if (format == Format::kNone) {
    return Status(StatusCode::kNotAcceptable,
                  "only the following media types are accepted: application/json, " +
                      std::string(kOpenApiV2ProtobufAccept));
  }
  // Bodies and ETags are built once per registry revision (TypeRegistry::Memo).
  const bool json = format == Format::kJson;
  const std::string body_key = json ? "openapi.v2.json" : "openapi.v2.protobuf";
  auto build_body = [&]() -> Result<std::string> {
    Json doc = OpenApiV2Document(types);
    if (json) return DumpJson(doc);
    return EncodeOpenApiV2Protobuf(doc);
  };
  OpenApiV2Reply reply;
  KT_ASSIGN_OR_RETURN(reply.body, types.Memo(body_key, build_body));
  KT_ASSIGN_OR_RETURN(reply.etag, types.Memo(body_key + ".etag", [&]() -> Result<std::string> {
                        return QuotedHash(reply.body);
                      }));
  reply.content_type = json ? "application/json" : std::string(kOpenApiV2ProtobufContentType);
  if (!Trim(if_none_match).empty() && NoneMatchHits(if_none_match, reply.etag)) {
    reply.status = 304;
    reply.body.clear();
  }
  return reply;
}

}  // namespace kt::sim
