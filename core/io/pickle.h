#pragma once
// A minimal reader for Python pickle streams (protocols 0-5), enough for the data files
// data sets ship (CIFAR's Python batches, numpy arrays) and, later, torch.save archives.
// Nothing is executed: globals, REDUCE and NEWOBJ become Object nodes that callers
// interpret (see pickle_convert.h for bytes and numpy arrays).
#include "io/file_bytes.h"

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scns {

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

    // Values point into the Pickle that owns them all (see below), never null.
    // List and Tuple elements; for Object, items added by APPEND(S) (list subclasses).
    std::vector<const PickleValue*> items;
    // Dict entries in stream order; for Object, entries added by SETITEM(S) (OrderedDict).
    std::vector<std::pair<const PickleValue*, const PickleValue*>> entries;

    std::string module;                  // Global, Object: e.g. "numpy.core.multiarray"
    std::string name;                    // Global, Object: e.g. "_reconstruct"
    const PickleValue* args = nullptr;   // Object: the argument tuple; PersistentId: the id
    const PickleValue* state = nullptr;  // Object: what BUILD passed (null without BUILD)

    bool isText() const { return kind == PickleKind::String || kind == PickleKind::Bytes; }
    // String or Bytes content as a std::string (bytes unchanged); empty for other kinds.
    std::string textOrBytes() const;
    // Dict (or Object entries) lookup by a key that is either str or bytes, as Python 2 and
    // Python 3 pickles spell keys differently. nullptr when absent or not a mapping.
    const PickleValue* find(std::string_view key) const;
    // For messages: "dict", "list of 3", "object numpy.dtype", ...
    std::string describe() const;
};

// A parsed stream. It owns every value, and values refer to each other by plain pointers:
// the memo lets one object appear several times, or even inside itself, and a stream can
// nest lists deeper than recursive destruction could unwind. Movable, not copyable.
class Pickle {
public:
    Pickle() = default;
    Pickle(Pickle&&) = default;
    Pickle& operator=(Pickle&&) = default;
    Pickle(const Pickle&) = delete;
    Pickle& operator=(const Pickle&) = delete;

    const PickleValue& root() const { return *m_root; }
    const PickleValue* operator->() const { return m_root; }
    // Every PERSID / BINPERSID value, in stream order (torch.save's storage references).
    const std::vector<const PickleValue*>& persistentIds() const { return m_persistentIds; }

private:
    friend class PickleParser;
    std::deque<PickleValue> m_values;  // a deque keeps addresses stable as it grows
    const PickleValue* m_root = nullptr;
    std::vector<const PickleValue*> m_persistentIds;
};

// What a parse accepts. Every limit is checked before the memory it guards is used.
struct PickleOptions {
    // Asked for every GLOBAL / STACK_GLOBAL; false refuses the stream with a message naming
    // the global and `refusal` (e.g. "a weights file may hold only tensors, containers and
    // numbers"). Unset: every global is kept as an inert Global node for the caller to judge.
    std::function<bool(const std::string& module, const std::string& name)> allowGlobal;
    std::string refusal;
    // Values created (each opcode makes at most one): bounds memory at about 250 bytes each.
    std::size_t maxValues = std::size_t(1) << 21;
    // Open MARKs at once: how deeply TUPLE / LIST / DICT / SETITEMS groups may nest.
    std::size_t maxMarks = 1000;
    // Where the stream starts in the buffer (torch.save's legacy format is several pickles
    // back to back).
    std::size_t offset = 0;
};

// Parses one pickle stream; sourceName labels error messages (usually the file path).
// Malformed or unsupported streams throw DataError naming the source, the opcode and its
// byte offset. Bytes after STOP are ignored, as Python's pickle.load does.
Pickle parsePickle(const Bytes& data, const std::string& sourceName);
// The same with options; *end (when given) receives the offset just past STOP.
Pickle parsePickle(const Bytes& data, const std::string& sourceName, const PickleOptions& options,
                   std::size_t* end = nullptr);

// readFileBytes + parsePickle.
Pickle readPickleFile(const std::filesystem::path& path);

}  // namespace scns
