#pragma once
// Typed errors thrown by core. Every message names the file, field or value concerned and
// what was expected, so callers (CLI, GUI worker) can show it as is.
#include <stdexcept>
#include <string>
#include <vector>

namespace scns {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bad or unreadable input data: missing/truncated files, wrong magic numbers, labels out of range.
class DataError : public Error {
public:
    using Error::Error;
};

// Run store (SQLite) failures: cannot open, newer schema, constraint violations.
class StoreError : public Error {
public:
    using Error::Error;
};

// Checkpoint files that are missing, truncated or do not match the model.
class CheckpointError : public Error {
public:
    using Error::Error;
};

// Requested device not available (e.g. cuda on a CPU-only build).
class DeviceError : public Error {
public:
    using Error::Error;
};

// A data-parallel run's processes could not connect, or a collective failed (a rank died or
// did not answer within the timeout).
class DistributedError : public Error {
public:
    using Error::Error;
};

// One invalid configuration field: its dotted name, the offending value and what is allowed.
struct FieldProblem {
    std::string field;
    std::string value;
    std::string expected;
};

// A configuration with one or more invalid fields; what() lists them all, one per line.
class ConfigError : public Error {
public:
    explicit ConfigError(std::vector<FieldProblem> problems);
    const std::vector<FieldProblem>& problems() const { return m_problems; }

private:
    std::vector<FieldProblem> m_problems;
};

}  // namespace scns
