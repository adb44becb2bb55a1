// FieldErrors: a collection of validation failures that prints the way Knative's
// apis.FieldError does, because Kaito's webhook is a Knative admission controller and its
// users see that text (kubectl: "admission webhook ... denied the request: validation failed:
// <this>").
//
// Each entry has a message, the field paths it concerns and optional details. ViaField("x")
// prefixes every path ("count" -> "x.count", "" -> "x"). ToString() merges entries with the
// same message and details (their paths are joined, sorted), sorts the entries by message and
// prints one "message: path, path" line per entry (a detail goes on the next line).
//
// Value type; not thread-safe to mutate concurrently.
#ifndef KT_CONTROLLERS_WEBHOOK_FIELD_ERRORS_H_
#define KT_CONTROLLERS_WEBHOOK_FIELD_ERRORS_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace kt::webhook {

class FieldErrors {
 public:
  struct Entry {
    std::string message;
    std::vector<std::string> paths;
    std::string details;
  };

  FieldErrors() = default;

  // Knative's constructors.
  // ErrGeneric(diagnostic, paths...)
  static FieldErrors Generic(std::string message,
                             std::initializer_list<std::string_view> paths = {});
  // ErrMissingField(paths...): "missing field(s)".
  static FieldErrors MissingField(std::initializer_list<std::string_view> paths);
  // ErrInvalidValue(value, path): "invalid value: <value>".
  static FieldErrors InvalidValue(std::string_view value, std::string_view path);

  bool empty() const { return entries_.empty(); }
  const std::vector<Entry>& entries() const { return entries_; }

  // Appends other's entries (errs.Also(other)).
  FieldErrors& Also(const FieldErrors& other);
  // A copy with `prefix` prepended to every path.
  FieldErrors ViaField(std::string_view prefix) const;

  // Knative's Error(): merged, sorted, one entry per line.
  std::string ToString() const;

 private:
  std::vector<Entry> entries_;
};

}  // namespace kt::webhook

#endif  // KT_CONTROLLERS_WEBHOOK_FIELD_ERRORS_H_
