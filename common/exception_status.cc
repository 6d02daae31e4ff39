#include "common/exception_status.h"

#include <exception>
#include <new>
#include <string>

namespace augsweep {

Status StatusFromCurrentException(std::string_view context) {
  const std::string where(context);
  try {
    throw;
  } catch (const std::bad_alloc& e) {
    return ResourceExhaustedError(where + ": out of memory (" + e.what() + ")");
  } catch (const std::exception& e) {
    return InternalError(where + ": " + e.what());
  } catch (...) {
    return InternalError(where + ": an exception of unknown type");
  }
}

}  // namespace augsweep
