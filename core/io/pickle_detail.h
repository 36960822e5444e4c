#pragma once
// Internals of the pickle reader (pickle.cpp): opcode values and the text decoding of the
// protocol-0 opcodes. Not for use outside core/io.
#include "io/file_bytes.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace scns::pickle_detail {

// Opcode bytes, named as in CPython's Lib/pickle.py.
enum Op : std::uint8_t {
    MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', FLOAT = 'F', INT = 'I',
    BININT = 'J', BININT1 = 'K', LONG = 'L', BININT2 = 'M', NONE = 'N', PERSID = 'P',
    BINPERSID = 'Q', REDUCE = 'R', STRING = 'S', BINSTRING = 'T', SHORT_BINSTRING = 'U',
    UNICODE = 'V', BINUNICODE = 'X', APPEND = 'a', BUILD = 'b', GLOBAL = 'c', DICT = 'd',
    EMPTY_DICT = '}', APPENDS = 'e', GET = 'g', BINGET = 'h', INST = 'i', LONG_BINGET = 'j',
    LIST = 'l', EMPTY_LIST = ']', OBJ = 'o', PUT = 'p', BINPUT = 'q', LONG_BINPUT = 'r',
    SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G',
    PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85,
    TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b,
    BINBYTES = 'B', SHORT_BINBYTES = 'C',
    SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, EMPTY_SET = 0x8f,
    ADDITEMS = 0x90, FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94,
    FRAME = 0x95, BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98,
};

// CPython's name for an opcode ("BINUNICODE"), or nullptr for a byte that is no opcode.
const char* opName(std::uint8_t op);

void appendUtf8(std::string& out, std::uint32_t codePoint);

// Python's escape_decode, as the protocol-0 STRING opcode applies to a repr()'d str.
// Returns false, with error set, on a malformed escape.
bool decodeEscapes(std::string_view in, Bytes& out, std::string& error);

// Python's raw-unicode-escape decoding (protocol-0 UNICODE, PERSID): bytes are Latin-1 code
// points, except \uXXXX and \UXXXXXXXX escapes. Output is UTF-8.
bool decodeRawUnicode(std::string_view in, std::string& out, std::string& error);

}  // namespace scns::pickle_detail
