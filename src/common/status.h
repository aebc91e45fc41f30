// Status and Result<T>: how every stedi library function reports failure.
//
// The library never throws across its API. Exceptions raised by a dependency
// are caught in that dependency's adapter and turned into a Status. Callers
// branch on code(), never on the message text.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace stedi {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // the caller passed something unusable: bad SQL, unknown table
  kNotFound,         // a file, table, job or snapshot does not exist
  kIOError,          // the operating system or a remote store failed
  kCorruption,       // stored data does not have the expected shape
  kConflict,         // another writer holds the lake or committed first
  kInternal,         // a broken invariant inside stedi
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message starts with `context: `, for the layer that
  // knows the file, table or job to name it.
  Status WithContext(std::string_view context) const;

  // "not found: <message>", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace stedi

#define STEDI_CONCAT_INNER(a, b) a##b
#define STEDI_CONCAT(a, b) STEDI_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function unless it is ok.
#define STEDI_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::stedi::Status stedi_status_ = (expr);  \
    if (!stedi_status_.ok()) return stedi_status_; \
  } while (false)

// Evaluates `rexpr` (a Result<T>), returns its Status on failure, otherwise
// moves the value into `lhs`, which may be a declaration.
#define STEDI_ASSIGN_OR_RETURN(lhs, rexpr) \
  STEDI_ASSIGN_OR_RETURN_IMPL(STEDI_CONCAT(stedi_result_, __LINE__), lhs, rexpr)
#define STEDI_ASSIGN_OR_RETURN_IMPL(result, lhs, rexpr) \
  auto result = (rexpr);                                \
  if (!result.ok()) return result.status();             \
  lhs = std::move(result).value()
