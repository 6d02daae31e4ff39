#include "common/exception_status.h"

#include <exception>
#include <new>

namespace augsweep {

Status StatusFromCurrentException(const std::string& context) {
  try {
    throw;
  } catch (const std::bad_alloc& e) {
    return ResourceExhaustedError(context + ": out of memory (" + e.what() + ")");
  } catch (const std::exception& e) {
    return InternalError(context + ": " + e.what());
  } catch (...) {
    return InternalError(context + ": an exception of unknown type");
  }
}

}  // namespace augsweep
