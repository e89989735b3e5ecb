#include "ocop/status.hpp"

namespace ocop {

const char* code_name(Code c) {
  switch (c) {
    case Code::ok:
      return "ok";
    case Code::internal:
      return "internal";
    case Code::bad_input:
      return "bad_input";
    case Code::not_found:
      return "not_found";
    case Code::refused:
      return "refused";
    case Code::conflict:
      return "conflict";
    case Code::forbidden:
      return "forbidden";
  }
  return "internal";
}

}  // namespace ocop
