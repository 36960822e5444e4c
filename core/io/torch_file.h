#pragma once
// Plain data and tensors in the format of torch.save: what SCNS writes (exported weights,
// training checkpoints) and reads back. Written files hold nothing but ordered dicts, dicts,
// lists, strings, numbers and tensors rebuilt with torch._utils._rebuild_tensor_v2, so that
// Python reads them with torch.load(file, weights_only=True) (the default since PyTorch 2.6).
// Read through TorchPickle: never LibTorch's TorchScript loader, so nothing in a file runs.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace scns {

class TorchPickle;
struct PickleValue;

struct TorchValue {
    enum class Kind { None, Bool, Int, Float, String, Tensor, List, Dict };

    Kind kind = Kind::None;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0.0;
    std::string text;
    torch::Tensor tensor;
    std::vector<TorchValue> items;                             // List
    std::vector<std::pair<std::string, TorchValue>> entries;  // Dict, in order
    bool ordered = false;  // Dict written as collections.OrderedDict (what state_dict() returns)

    TorchValue() = default;
    static TorchValue of(bool b);
    static TorchValue of(std::int64_t i);
    static TorchValue of(double d);
    static TorchValue of(std::string s);
    static TorchValue of(const torch::Tensor& t);
    static TorchValue list();
    static TorchValue dict(bool ordered = false);

    // A number: a Float, an Int, or a one-element floating-point tensor (how floats are
    // written); nullopt otherwise.
    std::optional<double> number() const;
    // Dict lookup; nullptr when absent or not a dict.
    const TorchValue* find(const std::string& key) const;
    // Dict insertion (appends; keys are not checked for repeats). Returns the stored value.
    TorchValue& set(std::string key, TorchValue value);
    // For messages: "int", "dict of 3", "tensor float32 [64, 3, 3, 3]", ...
    std::string describe() const;
};

// Writes `root` as torch.save(root, file) would (zip format, protocol 2; floats as 0-dim
// float64 tensors, which every weights_only loader since PyTorch 1.13 reads), through a partial
// file renamed into place. Tensors are written as contiguous CPU copies. Throws CheckpointError
// naming the file when it cannot be written (a full disk included); no partial file remains.
void writeTorchFile(const TorchValue& root, const std::filesystem::path& file);

// Reads any file TorchPickle reads into a tree. Objects other than ordered dicts, tensors,
// torch.Size, dtypes and LibTorch archive objects (read as dicts of their attributes) are
// refused with a message naming the file and where the object sits; nesting deeper than 64
// levels is refused too.
TorchValue readTorchFile(const std::filesystem::path& file);
TorchValue toTorchValue(TorchPickle& pickle, const PickleValue& value, const std::string& path, int depth = 0);

}  // namespace scns
