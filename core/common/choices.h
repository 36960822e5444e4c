#pragma once
// Choice settings as enums, with the one spelling each value has in configuration files, on
// the command line and on screen. Text is parsed into an enum once, at the boundary (reading a
// configuration); past it, code compares enums, never strings.
//
// A choice type E is declared by specialising ChoiceNames<E> with `names`, a std::array of
// its spellings in the order of E's enumerators (E's values are 0, 1, 2, ...).
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scns {

template <class E>
struct ChoiceNames;

template <class E>
concept ChoiceEnum = requires { ChoiceNames<E>::names; };

template <ChoiceEnum E>
constexpr std::string_view choiceName(E value)
{
    return ChoiceNames<E>::names[static_cast<std::size_t>(value)];
}

template <ChoiceEnum E>
std::string toString(E value)
{
    return std::string(choiceName(value));
}

// Exact spellings only ("class", not "Class"): nullopt for anything else.
template <ChoiceEnum E>
constexpr std::optional<E> parseChoice(std::string_view text)
{
    const auto& names = ChoiceNames<E>::names;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == text)
            return static_cast<E>(i);
    return std::nullopt;
}

template <ChoiceEnum E>
std::vector<std::string> choiceNames()
{
    return {ChoiceNames<E>::names.begin(), ChoiceNames<E>::names.end()};
}

// "a, b or c": how messages list the allowed values.
std::string joinChoices(const std::vector<std::string>& names, std::string_view lastJoin = " or ");

// --- the run configuration's choices --------------------------------------------------------
//
// The enums live in scns::choice so that argument-dependent lookup from other libraries' generic
// code (QTest's toString in QCOMPARE) does not find scns::toString; scns uses them unqualified.
namespace choice {

enum class DatasetId { FashionMnist, Cifar10, Cifar100, TinyImageNet };
enum class OptimizerKind { Sgd };
enum class ScheduleKind { Constant, Multistep, Cosine, OneCycle };
// The contrastive objective: InfoNCE over a memory bank, CRD's NCE form over the bank, or
// SupCon over the batch (docs/method.md).
enum class Objective { InfoNce, Nce, SupCon };
// How negatives are drawn: uniformly, from the top-k similar classes, from the top-k similar
// samples.
enum class SamplerKind { Uniform, Class, Instance };
// An anchor's positive: its class's other samples in the bank, or its own bank row.
enum class Positive { SameClass, Self };
enum class InstanceWeighting { Uniform, Softmax };
// Latent Mixup: mix two drawn negatives, or a negative with the anchor.
enum class MixupMode { Pairs, Anchor };
enum class DistillMethod { None, Kd, Crd, CrdKd };
// The class similarity's source (semantic/class_similarity_source.h).
enum class ClassSimilaritySource {
    WordNet,    // Wu-Palmer of the classes' WordNet synsets
    Visual,     // cosine of class-mean embeddings of a reference network
    Confusion,  // symmetrised mean softmax of a reference network per true class
    File,       // a C x C CSV or a word-vector text file
};
// What the forward pass computes in (train/precision.h): float32, or autocast to bfloat16 or to
// float16 (float16 with dynamic loss scaling).
enum class Precision { Fp32, Bf16, Fp16 };
// Where the training images live while a run trains (data/loader.h): automatic (on a CUDA device
// when the set fits, else in host memory), in host memory, or on the run's device.
enum class DataPlacement { Auto, Host, Device };
// What carries a data-parallel run's exchanges of GPU tensors (dist/process_group.h): NCCL when
// this build has it (auto), Gloo, or NCCL. CPU tensors always go through Gloo.
enum class CollectiveBackend { Auto, Gloo, Nccl };

}  // namespace choice

using choice::DatasetId;
using choice::OptimizerKind;
using choice::ScheduleKind;
using choice::Objective;
using choice::SamplerKind;
using choice::Positive;
using choice::InstanceWeighting;
using choice::MixupMode;
using choice::DistillMethod;
using choice::ClassSimilaritySource;
using choice::Precision;
using choice::DataPlacement;
using choice::CollectiveBackend;

template <>
struct ChoiceNames<DatasetId> {
    static constexpr std::array<std::string_view, 4> names{"fashion-mnist", "cifar10", "cifar100", "tiny-imagenet"};
};
template <>
struct ChoiceNames<OptimizerKind> {
    static constexpr std::array<std::string_view, 1> names{"sgd"};
};
template <>
struct ChoiceNames<ScheduleKind> {
    static constexpr std::array<std::string_view, 4> names{"constant", "multistep", "cosine", "onecycle"};
};
template <>
struct ChoiceNames<Objective> {
    static constexpr std::array<std::string_view, 3> names{"infonce", "nce", "supcon"};
};
template <>
struct ChoiceNames<SamplerKind> {
    static constexpr std::array<std::string_view, 3> names{"uniform", "class", "instance"};
};
template <>
struct ChoiceNames<Positive> {
    static constexpr std::array<std::string_view, 2> names{"same-class", "self"};
};
template <>
struct ChoiceNames<InstanceWeighting> {
    static constexpr std::array<std::string_view, 2> names{"uniform", "softmax"};
};
template <>
struct ChoiceNames<MixupMode> {
    static constexpr std::array<std::string_view, 2> names{"pairs", "anchor"};
};
template <>
struct ChoiceNames<DistillMethod> {
    static constexpr std::array<std::string_view, 4> names{"none", "kd", "crd", "crd+kd"};
};
template <>
struct ChoiceNames<ClassSimilaritySource> {
    static constexpr std::array<std::string_view, 4> names{"wordnet", "visual", "confusion", "file"};
};
template <>
struct ChoiceNames<Precision> {
    static constexpr std::array<std::string_view, 3> names{"fp32", "bf16", "fp16"};
};
template <>
struct ChoiceNames<DataPlacement> {
    static constexpr std::array<std::string_view, 3> names{"auto", "host", "device"};
};
template <>
struct ChoiceNames<CollectiveBackend> {
    static constexpr std::array<std::string_view, 3> names{"auto", "gloo", "nccl"};
};

}  // namespace scns
