#pragma once
// The pickle (data.pkl) of a torch.save / torch::pickle_save zip archive, with its tensors
// rebuilt from the archive's storage records. Nothing is executed: a tensor is recognised as
//   torch._utils._rebuild_tensor_v2(persistent_id(('storage', torch.<T>Storage, key, location,
//                                   numel)), storage_offset, size, stride, requires_grad, hooks)
// or torch._utils._rebuild_parameter(<such a tensor>, requires_grad, hooks), and every other
// value stays a PickleValue for the caller to interpret.
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <torch/types.h>

#include "io/pickle.h"
#include "io/torch_zip.h"

namespace scns {

class TorchPickle {
public:
    // Opens the archive and parses its data.pkl. Throws CheckpointError naming the file when
    // it is not a torch.save zip archive, has no data.pkl or the pickle is malformed.
    explicit TorchPickle(const std::filesystem::path& file);

    const std::filesystem::path& file() const { return m_zip.file(); }
    const PickleValue& root() const { return m_pickle.root(); }

    static bool isTensor(const PickleValue& value);
    // The tensor `value` stands for, on the CPU, contiguous and owning its memory. Storages of
    // float32/64, float16, bfloat16, int8/16/32/64, uint8 and bool are supported. Throws
    // CheckpointError naming the file and `context` (e.g. "key 'fc.weight'") for anything else,
    // a missing or short storage record, or a size/stride/offset outside the storage.
    torch::Tensor tensor(const PickleValue& value, const std::string& context);

    // torch::pickle_save writes typed containers as torch.jit._pickle.restore_type_tag(value,
    // 'Dict[str, Tensor]'); this returns the value inside (or `value` itself).
    static const PickleValue& unwrapTypeTag(const PickleValue& value);

private:
    torch::Tensor storage(const PickleValue& persistentId, const std::string& context);
    [[noreturn]] void fail(const std::string& context, const std::string& what) const;

    TorchZipArchive m_zip;
    Pickle m_pickle;
    std::map<std::string, torch::Tensor> m_storages;  // by storage key: views share one
};

}  // namespace scns
