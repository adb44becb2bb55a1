// Python's repr() of a str and of a {"role": ..., "content": ...} dict.
//
// Kaito's transformers runtime answers a /chat request with `messages` by returning
// {"Result": str(last_message)}: the Python repr of the generated message dict, e.g.
// "{'role': 'assistant', 'content': \"It's fine\"}". kaito-serve reproduces that text exactly:
// the quote is ' unless the string contains ' and no ", backslashes, the chosen quote and
// control characters are escaped (\n, \t, \r, \xNN, \uNNNN), other characters are kept.
// Pure functions; thread-safe.
#ifndef KT_SERVING_HTTP_PY_REPR_H_
#define KT_SERVING_HTTP_PY_REPR_H_

#include <string>
#include <string_view>

namespace kt::serving {

std::string PyReprStr(std::string_view utf8);
std::string PyReprMessage(std::string_view role, std::string_view content);

}  // namespace kt::serving

#endif  // KT_SERVING_HTTP_PY_REPR_H_
