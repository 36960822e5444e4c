#pragma once
// Reading network weights from a file, whoever wrote it:
//   - PyTorch's torch.save (zip format, PyTorch >= 1.6) of a state dict, or of a dict holding
//     one under 'state_dict', 'model', 'model_state_dict' or 'net' (RepDistiller/CRD teacher
//     checkpoints are {'model': state_dict, 'epoch': ..., 'best_acc': ...});
//   - files written by saveStateDict (models/save_state_dict.h);
//   - torch.save's legacy format (PyTorch < 1.6, e.g. RepDistiller's published teachers);
//   - SCNS training checkpoints (train/checkpoint.h; format 1 was a LibTorch archive) and other
//     LibTorch serialize::OutputArchive files, whose tensors are attributes of nested objects.
// Every file is read as data by io/torch_pickle.h: code in a file is never run, globals
// outside an allow-list are refused, and every size is checked before it is allocated.
// Keys are returned as stored; a DataParallel 'module.' prefix is dropped by loadStateDict.
#include <cstdint>
#include <filesystem>
#include <string>

#include "models/state_dict.h"

namespace scns {

struct WeightsFile {
    StateDict tensors;        // in the file's order, on the CPU
    std::string format;       // for messages, e.g. "PyTorch checkpoint, state dict under 'model'"
    std::string arch;         // SCNS training checkpoints: the network they hold; else empty
    std::int64_t epoch = -1;  // SCNS: epochs completed; PyTorch: an int 'epoch' entry; else -1
    std::string dataset;      // SCNS training checkpoints: the data set trained on; else empty
};

// The "format" entry of an SCNS training checkpoint (format 2 and later).
inline constexpr const char* kScnsCheckpointTag = "scns-checkpoint";

// Throws CheckpointError naming the file: missing, in no format above, refused (TorchScript
// code, a global outside the allow-list), no data.pkl, a malformed pickle, no state dict
// inside (the message lists what is there, or the keys that are not tensors), or a tensor
// that cannot be rebuilt.
WeightsFile readWeightsFile(const std::filesystem::path& file);

// A single tensor written by torch.save(tensor) (or torch::pickle_save). Same errors.
torch::Tensor readTensorFile(const std::filesystem::path& file);

}  // namespace scns
