#pragma once
// Interprets pickled values that stand for bytes, numpy arrays and plain sequences, in the
// spellings CPython and numpy use across pickle protocols and Python 2/3. Every function
// takes a context string (e.g. "/x/data_batch_1: key 'data'") that prefixes its DataError.
#include "io/pickle.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scns {

// A numpy ndarray as pickled: shape, element type and the raw element bytes.
struct NumpyArray {
    std::vector<std::int64_t> shape;
    std::string dtype;        // numpy type code without byte order: "u1", "i8", "f4", "b1", ...
    char byteOrder = '|';     // '<' little, '>' big, '|' not applicable (1-byte types), '=' native
    bool fortranOrder = false;
    Bytes data;               // elementCount() * itemSize() bytes, in C or Fortran order

    char kind() const { return dtype.empty() ? '?' : dtype[0]; }  // 'u', 'i', 'f', 'b'
    int itemSize() const;
    std::int64_t elementCount() const;
    std::string shapeText() const;  // "(2, 3072)", as Python prints it
};

// bytes or bytearray values, plus the forms Python 3 writes at protocols 0-2, where bytes did
// not exist yet: _codecs.encode(text, 'latin1'), builtins.bytes() and builtins.bytearray(...).
Bytes pickleBytes(const PickleValue& value, const std::string& context);

// str or bytes in any of the spellings pickleBytes accepts, as a std::string (bytes
// unchanged); false for anything else. Python 3 pickles bytes keys (b'data') and bytes
// class names at protocols 0-2 as _codecs.encode(text, 'latin1').
bool pickleText(const PickleValue& value, const std::string& context, std::string& out);

// The value of `key` in a dict (or an object's SETITEMS entries) whose keys are str, bytes
// or Python 3's protocol 0-2 bytes; nullptr when absent.
const PickleValue* pickleDictFind(const PickleValue& dict, std::string_view key, const std::string& context);

// True when the value is a pickled ndarray (numpy.core.multiarray._reconstruct + BUILD, or
// numpy.core.numeric._frombuffer as numpy writes at protocol 5; numpy 2's numpy._core too).
bool isNumpyArray(const PickleValue& value);

// The array; numeric dtypes (b, i, u, f) only, with data of exactly the announced size.
NumpyArray pickleNumpyArray(const PickleValue& value, const std::string& context);

// A list or tuple of ints (bools count as 0/1), or a one-dimensional integer ndarray.
std::vector<std::int64_t> pickleIntSequence(const PickleValue& value, const std::string& context);

// A list or tuple of str or bytes (Python 2 pickles names as bytes, Python 3 at protocols
// 0-2 as _codecs.encode), each as std::string.
std::vector<std::string> pickleStringSequence(const PickleValue& value, const std::string& context);

}  // namespace scns
