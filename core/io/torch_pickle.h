#pragma once
// The pickle of a torch.save file, with its tensors rebuilt from the file's storages, read as
// data: nothing in the file is ever executed (the guarantee of PyTorch's
// torch.load(weights_only=True), by construction here, since this reader cannot call
// anything). Three containers are read:
//   - torch.save's zip format (PyTorch >= 1.6), torch::pickle_save and SCNS checkpoints:
//     data.pkl plus data/<key> storage records;
//   - torch.save's legacy format (PyTorch < 1.6 or _use_new_zipfile_serialization=False, e.g.
//     RepDistiller's published teachers): magic number, protocol, system info and the object
//     as pickles back to back, then the storage keys and each storage's raw bytes;
//   - LibTorch's serialize::OutputArchive files (SCNS checkpoints before format 2): a
//     TorchScript archive whose classes only declare attributes; its objects are read as
//     attribute dicts (archiveAttributes) and its code is never run. An archive whose code
//     defines a method (forward, __setstate__) is refused.
// Globals outside an allow-list (what a state dict may contain: tensors, storages, ordered
// dicts, plain containers, numbers, dtypes) are refused while parsing, naming the file and
// the global. A tensor is recognised as
//   torch._utils._rebuild_tensor_v2(persistent_id(('storage', torch.<T>Storage, key, location,
//                                   numel[, view])), storage_offset, size, stride, ...)
// (or _rebuild_tensor, _rebuild_parameter(<tensor>, ...)); every size is checked against the
// bytes the file holds before memory is allocated for it.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <torch/types.h>

#include "io/pickle.h"
#include "io/torch_zip.h"

namespace scns {

class TorchPickle {
public:
    // Opens the file and parses its pickle. Throws CheckpointError naming the file when it is
    // missing, in none of the formats above, refused (code, a global outside the allow-list),
    // truncated, or malformed.
    explicit TorchPickle(const std::filesystem::path& file);
    ~TorchPickle();

    const std::filesystem::path& file() const { return m_file; }
    const PickleValue& root() const { return m_pickle.root(); }
    // For messages: "torch.save zip archive", "torch.save legacy file (PyTorch < 1.6)" or
    // "LibTorch archive".
    const std::string& container() const { return m_container; }
    bool isLibTorchArchive() const { return m_libtorchArchive; }

    static bool isTensor(const PickleValue& value);
    // The tensor `value` stands for, on the CPU, contiguous and owning its memory. Storages of
    // float32/64, float16, bfloat16, int8/16/32/64, uint8 and bool are supported. Throws
    // CheckpointError naming the file and `context` (e.g. "key 'fc.weight'") for anything else,
    // a missing or short storage, a size/stride/offset outside the storage, or tensors adding
    // up to more than 4 times the file's size plus 256 MiB (one storage named over and over).
    torch::Tensor tensor(const PickleValue& value, const std::string& context);

    // torch::pickle_save writes typed containers as torch.jit._pickle.restore_type_tag(value,
    // 'Dict[str, Tensor]') (and lists as build_intlist(...) etc.); this returns the value
    // inside (or `value` itself).
    static const PickleValue& unwrapTypeTag(const PickleValue& value);
    // A LibTorch archive's object (class __torch__[.___torch_mangle_N].Module): its attribute
    // dict, else nullptr.
    static const PickleValue* archiveAttributes(const PickleValue& value);

    // Byte limit for one storage: larger claims are refused before anything is allocated.
    static constexpr std::uint64_t kMaxStorageBytes = std::uint64_t(64) << 30;

private:
    struct LegacyStorage {
        std::uint64_t offset = 0;  // into m_bytes
        std::int64_t numel = 0;
    };
    void openZip();
    void openLegacy();
    torch::Tensor storage(const PickleValue& persistentId, const std::string& context);
    [[noreturn]] void fail(const std::string& context, const std::string& what) const;

    std::filesystem::path m_file;
    std::string m_container;
    bool m_libtorchArchive = false;
    std::unique_ptr<TorchZipArchive> m_zip;  // zip formats
    Bytes m_bytes;                           // legacy format: the whole file
    std::map<std::string, LegacyStorage> m_legacy;
    Pickle m_pickle;
    std::map<std::string, torch::Tensor> m_storages;  // by storage key: views share one
    std::uint64_t m_fileSize = 0;
    std::uint64_t m_materialized = 0;  // bytes of tensors returned so far
};

}  // namespace scns
