// Table printers of the built-in kinds: the columns `kubectl get` shows for each kind and how
// each row is computed from an object, following kubernetes/pkg/printers/internalversion
// (pod STATUS like kubectl's printer: Pending, ContainerCreating, Running, CrashLoopBackOff,
// Completed, Terminating, OOMKilled, Init:0/1, ...; node ROLES from node-role labels; service
// PORT(S) as 80/TCP,443:30443/TCP; AGE by HumanDuration).
// Thread-safety: the printers are immutable; FindBuiltinPrinter is safe from any thread.
#ifndef KT_SIM_APISERVER_TYPES_BUILTIN_PRINTERS_H_
#define KT_SIM_APISERVER_TYPES_BUILTIN_PRINTERS_H_

#include <functional>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/time.h"
#include "sim/apiserver/types/registry_impl.h"

namespace kt::sim {

struct TablePrinter {
  // Column definitions; the first is always Name.
  std::vector<PrinterColumn> columns;
  // The cells of one object's row, one per column.
  std::function<Json(const Json& obj, Time now)> row;
};

// The printer of a built-in kind (group "" for core), or null.
const TablePrinter* FindBuiltinPrinter(std::string_view group, std::string_view kind);

// Helpers shared by the printers.
// "5m3s" for a creationTimestamp `now - t`; "<unknown>" when absent or unparsable.
std::string AgeOf(const Json& obj, Time now);
std::string AgeSince(const Json& timestamp, Time now);
// Column definitions.
PrinterColumn NameColumn();
PrinterColumn AgeColumn();
PrinterColumn Column(std::string name, std::string type, std::string description,
                     int priority = 0);
// Typed reads with kube's zero values.
int64_t IntAt(const Json& obj, std::string_view dotted_path, int64_t fallback = 0);
std::string StrAt(const Json& obj, std::string_view dotted_path);
const Json& ArrayAt(const Json& obj, std::string_view dotted_path);  // [] when absent
// "c1,c2" and "img1,img2" of a container list (wide Containers / Images cells).
std::string ContainerNames(const Json& containers);
std::string ContainerImages(const Json& containers);
// A metav1.LabelSelector as apimachinery prints it ("app=x,tier in (a,b)"); "" for none.
std::string SelectorString(const Json& selector);
// A map selector (Service.spec.selector) as labels.FormatLabels prints it; "<none>" if empty.
std::string FormatLabels(const Json& labels);
// The creation timestamp in RFC 3339 UTC ("Created At" columns).
std::string CreatedAt(const Json& obj);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_BUILTIN_PRINTERS_H_
