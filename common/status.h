// Status and StatusOr<T>: how every module reports failure across its boundary.
//
// augsweep's own small type rather than absl::Status, because worker/runtime (and the parts of
// common/ it uses, such as safetensors) must build with libtorch and the standard library alone.
// The codes follow the canonical gRPC/absl set so the service layer can map them one to one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace augsweep {

enum class StatusCode {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,  // bad input from a user: a spec, a dataset, a model file
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,  // stored data is corrupt (checksum mismatch, truncated file)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "prefix: message" (adds context on the way up).
  Status WithContext(std::string_view prefix) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) {
  return {StatusCode::kAlreadyExists, std::move(m)};
}
inline Status FailedPreconditionError(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status OutOfRangeError(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status UnimplementedError(std::string m) {
  return {StatusCode::kUnimplemented, std::move(m)};
}
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DataLossError(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status AbortedError(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status CancelledError(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}

namespace status_internal {
// A StatusOr used against its contract (built from an OK status, value() of an error): a bug in
// the caller. Prints what happened and the status to stderr and aborts, in every build type: an
// unchecked value() would otherwise read a Status as a T.
[[noreturn]] void DieOfStatusOrMisuse(const char* what, const Status& status);
}  // namespace status_internal

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const Status& status) : value_(status) { CheckNotOk(); }        // NOLINT: implicit
  StatusOr(Status&& status) : value_(std::move(status)) { CheckNotOk(); }  // NOLINT: implicit
  StatusOr(const T& value) : value_(value) {}        // NOLINT: implicit by design
  StatusOr(T&& value) : value_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(value_); }
  Status status() const { return ok() ? Status() : std::get<Status>(value_); }

  const T& value() const& {
    CheckOk();
    return std::get<T>(value_);
  }
  T& value() & {
    CheckOk();
    return std::get<T>(value_);
  }
  T&& value() && {
    CheckOk();
    return std::get<T>(std::move(value_));
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  void CheckNotOk() const {
    if (std::get<Status>(value_).ok()) {
      status_internal::DieOfStatusOrMisuse("StatusOr constructed from an OK status", Status());
    }
  }
  void CheckOk() const {
    if (!ok()) {
      status_internal::DieOfStatusOrMisuse("StatusOr::value() called on an error",
                                           std::get<Status>(value_));
    }
  }

  std::variant<Status, T> value_;
};

}  // namespace augsweep

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define AUGSWEEP_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::augsweep::Status augsweep_status_ = (expr);        \
    if (!augsweep_status_.ok()) return augsweep_status_; \
  } while (0)

#define AUGSWEEP_CONCAT_INNER_(a, b) a##b
#define AUGSWEEP_CONCAT_(a, b) AUGSWEEP_CONCAT_INNER_(a, b)

// `AUGSWEEP_ASSIGN_OR_RETURN(auto x, F());` declares x from a StatusOr or returns its error.
#define AUGSWEEP_ASSIGN_OR_RETURN(lhs, expr) \
  AUGSWEEP_ASSIGN_OR_RETURN_IMPL_(AUGSWEEP_CONCAT_(augsweep_statusor_, __LINE__), lhs, expr)
#define AUGSWEEP_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()
