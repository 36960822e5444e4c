#pragma once
// A minimal reader for Python pickle streams (protocols 0-5), enough for the data files
// data sets ship (CIFAR's Python batches, numpy arrays) and, later, torch.save archives.
// Nothing is executed: globals, REDUCE and NEWOBJ become Object nodes that callers
// interpret (see pickle_convert.h for bytes and numpy arrays).
#include "io/file_bytes.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scns {

struct PickleValue;
// Shared because the pickle memo lets one object appear several times in a stream.
// A stream can build a cycle (a list appended to itself); that leaks rather than crashes.
using PickleRef = std::shared_ptr<PickleValue>;

enum class PickleKind {
    None,
    Bool,
    Int,           // fits in int64 (larger Python ints are rejected as bad input)
    Float,
    Bytes,         // Python 3 bytes / bytearray, and Python 2 str (BINSTRING, STRING)
    String,        // Python 3 str (Python 2 unicode), as UTF-8
    List,
    Tuple,
    Dict,
    Global,        // a class or function reference: module + name (GLOBAL, STACK_GLOBAL)
    Object,        // the result of calling a global: REDUCE or NEWOBJ, then BUILD state
    PersistentId,  // PERSID / BINPERSID: the id is in args
};

struct PickleValue {
    PickleKind kind = PickleKind::None;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0.0;
    std::string text;   // String
    Bytes bytes;        // Bytes
    bool byteArray = false;  // Bytes made by BYTEARRAY8 (protocol 5) rather than bytes

    // List and Tuple elements; for Object, items added by APPEND(S) (list subclasses).
    std::vector<PickleRef> items;
    // Dict entries in stream order; for Object, entries added by SETITEM(S) (OrderedDict).
    std::vector<std::pair<PickleRef, PickleRef>> entries;

    std::string module;  // Global, Object: e.g. "numpy.core.multiarray"
    std::string name;    // Global, Object: e.g. "_reconstruct"
    PickleRef args;      // Object: the argument tuple; PersistentId: the id
    PickleRef state;     // Object: what BUILD passed (null when there was no BUILD)

    bool isText() const { return kind == PickleKind::String || kind == PickleKind::Bytes; }
    // String or Bytes content as a std::string (bytes unchanged); empty for other kinds.
    std::string textOrBytes() const;
    // Dict (or Object entries) lookup by a key that is either str or bytes, as Python 2 and
    // Python 3 pickles spell keys differently. nullptr when absent or not a mapping.
    const PickleValue* find(std::string_view key) const;
    // For messages: "dict", "list of 3", "object numpy.dtype", ...
    std::string describe() const;
};

// Parses one pickle stream; sourceName labels error messages (usually the file path).
// Malformed or unsupported streams throw DataError naming the source, the opcode and its
// byte offset. Bytes after STOP are ignored, as Python's pickle.load does.
PickleRef parsePickle(const Bytes& data, const std::string& sourceName);

// readFileBytes + parsePickle.
PickleRef readPickleFile(const std::filesystem::path& path);

}  // namespace scns
