// Assertions that stay on in release builds. A failed KT_CHECK is a bug: it prints the
// condition, the location and any streamed context, then aborts. Expected failures are
// Status values (base/status.h), never checks.
#ifndef KT_BASE_CHECK_H_
#define KT_BASE_CHECK_H_

#include <sstream>

namespace kt::internal {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Lets `KT_CHECK(x) << "context"` compile to nothing extra when x holds.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace kt::internal

#define KT_CHECK(cond)                      \
  (cond) ? (void)0                          \
         : ::kt::internal::Voidify() &      \
               ::kt::internal::CheckFailure(__FILE__, __LINE__, #cond).stream()

#define KT_CHECK_EQ(a, b) KT_CHECK((a) == (b)) << #a " = " << (a) << ", " #b " = " << (b) << " "
#define KT_CHECK_LT(a, b) KT_CHECK((a) < (b)) << #a " = " << (a) << ", " #b " = " << (b) << " "
#define KT_CHECK_LE(a, b) KT_CHECK((a) <= (b)) << #a " = " << (a) << ", " #b " = " << (b) << " "
#define KT_UNREACHABLE() KT_CHECK(false) << "unreachable "

#endif  // KT_BASE_CHECK_H_
