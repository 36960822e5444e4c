// `scns evaluate` (a checkpoint of ours or PyTorch's on a data set split, or on a tensor of
// inputs) and `scns export-weights` (a run's final model as a PyTorch state dict).
#include <cstdio>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <torch/utils.h>

#include "commands.h"
#include "common/choices.h"
#include "common/errors.h"
#include "data/dataset_registry.h"
#include "data/loader.h"
#include "models/pretrained.h"
#include "models/save_state_dict.h"
#include "models/weights_file.h"
#include "store/run_store.h"
#include "train/device.h"
#include "train/evaluate.h"

namespace scns::cli {

namespace {

struct EvaluateArgs {
    std::string arch, weights, dataset = "fashion-mnist", dataDir, split = "test", predictions, inputs, device = "cpu";
    std::int64_t numClasses = 0, batchSize = 256;
    long long threads = 0;
};

// One CSV row per sample: index, predicted class, every logit.
class PredictionWriter {
public:
    PredictionWriter(const std::string& path, std::int64_t classes) : m_path(path)
    {
        if (path.empty())
            return;
        m_file = std::fopen(path.c_str(), "w");
        if (!m_file)
            throw Error(path + ": cannot write the predictions file");
        std::fputs("index,predicted", m_file);
        for (std::int64_t k = 0; k < classes; ++k)
            std::fprintf(m_file, ",logit_%lld", static_cast<long long>(k));
        std::fputc('\n', m_file);
    }
    ~PredictionWriter()
    {
        if (m_file)
            std::fclose(m_file);
    }
    PredictionWriter(const PredictionWriter&) = delete;
    PredictionWriter& operator=(const PredictionWriter&) = delete;

    // logits: B x K; indices: B sample numbers.
    void write(const torch::Tensor& logits, const torch::Tensor& indices)
    {
        if (!m_file)
            return;
        const auto l = logits.to(torch::kCPU, torch::kFloat).contiguous();
        const auto predicted = l.argmax(1).contiguous();
        const auto idx = indices.to(torch::kCPU, torch::kLong).contiguous();
        const float* p = l.data_ptr<float>();
        const std::int64_t* pred = predicted.data_ptr<std::int64_t>();
        const std::int64_t* index = idx.data_ptr<std::int64_t>();
        const auto k = l.size(1);
        for (std::int64_t i = 0; i < l.size(0); ++i) {
            std::fprintf(m_file, "%lld,%lld", static_cast<long long>(index[i]), static_cast<long long>(pred[i]));
            for (std::int64_t j = 0; j < k; ++j)
                std::fprintf(m_file, ",%.9g", static_cast<double>(p[i * k + j]));
            std::fputc('\n', m_file);
        }
        m_rows += l.size(0);
    }
    void finish()
    {
        if (!m_file)
            return;
        const bool ok = std::fflush(m_file) == 0 && !std::ferror(m_file);
        std::fclose(m_file);
        m_file = nullptr;
        if (!ok)
            throw Error(m_path + ": writing the predictions failed");
        std::printf("wrote %lld predictions to %s\n", static_cast<long long>(m_rows), m_path.c_str());
    }

private:
    std::string m_path;
    std::FILE* m_file = nullptr;
    std::int64_t m_rows = 0;
};

// --inputs: a float tensor N x C x H x W used as given (no normalisation, no labels).
void evaluateInputs(const EvaluateArgs& a, NetworkImpl& net, const NetworkSpec& spec, const c10::Device& device)
{
    auto x = readTensorFile(a.inputs);
    if (x.dim() != 4 || !x.is_floating_point() || x.size(1) != spec.inChannels)
        throw DataError(a.inputs + ": expected a float tensor N x " + std::to_string(spec.inChannels)
                        + " x H x W, found " + c10::toString(x.scalar_type()) + " of shape " + c10::str(x.sizes()));
    x = x.to(torch::kFloat);
    PredictionWriter writer(a.predictions, spec.numClasses);
    torch::NoGradGuard noGrad;
    for (std::int64_t start = 0; start < x.size(0); start += a.batchSize) {
        const auto n = std::min(a.batchSize, x.size(0) - start);
        const auto logits = net.forwardAll(x.narrow(0, start, n).to(device)).logits;
        writer.write(logits, torch::arange(start, start + n));
    }
    std::printf("%lld inputs from %s (%s x %s x %s), %lld classes\n", static_cast<long long>(x.size(0)),
                a.inputs.c_str(), std::to_string(x.size(1)).c_str(), std::to_string(x.size(2)).c_str(),
                std::to_string(x.size(3)).c_str(), static_cast<long long>(spec.numClasses));
    writer.finish();
}

void evaluateDataset(const EvaluateArgs& a, NetworkImpl& net, const NetworkSpec& spec, const c10::Device& device)
{
    auto data = std::make_shared<const ImageSet>(
        loadDataset(a.dataset, a.dataDir, a.split == "train" ? Split::Train : Split::Test));
    if (data->numClasses() != spec.numClasses || data->channels != spec.inChannels)
        throw CheckpointError(a.weights + ": the network has " + std::to_string(spec.numClasses) + " classes and "
                              + std::to_string(spec.inChannels) + " input channels, " + a.dataset + " has "
                              + std::to_string(data->numClasses()) + " classes and " + std::to_string(data->channels)
                              + " channels");
    BatchLoader loader(data, normalizationFor(a.dataset, *data),
                       LoaderOptions{.batchSize = a.batchSize, .shuffle = false, .prefetch = true});
    PredictionWriter writer(a.predictions, spec.numClasses);
    const EvalResult r = evaluate(net, loader, device,
                                  [&writer](const torch::Tensor& logits, const Batch& batch) {
                                      writer.write(logits, batch.indices);
                                  });
    std::printf("%s %s: %lld images, loss %.4f, top-1 %.2f%%, top-5 %.2f%%\n", a.dataset.c_str(), a.split.c_str(),
                static_cast<long long>(r.count), r.loss, r.top1, r.top5);
    writer.finish();
}

}  // namespace

void addEvaluateCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    auto args = std::make_shared<EvaluateArgs>();
    EvaluateArgs& a = *args;
    CLI::App* cmd = app.add_subcommand(
        "evaluate", "Evaluate weights (an SCNS checkpoint or a PyTorch torch.save file) on a data set or on inputs");
    cmd->add_option("--arch", a.arch, "Network (default: the one an SCNS checkpoint names)");
    cmd->add_option("--weights,-w", a.weights, "Weights: SCNS checkpoint, PyTorch state dict or checkpoint")->required();
    std::string datasets;  // "[a | b | c]", the form scns's man page and completion read choices from
    for (const auto& name : choiceNames<DatasetId>())
        datasets += (datasets.empty() ? "[" : " | ") + name;
    cmd->add_option("--dataset", a.dataset, "The data set " + datasets + "]")->capture_default_str();
    cmd->add_option("--data-dir", a.dataDir, "The data set's folder");
    cmd->add_option("--split", a.split, "The split to evaluate [test | train]")->check(CLI::IsMember({"test", "train"}))->capture_default_str();
    cmd->add_option("--predictions", a.predictions, "CSV file: index, predicted class, every logit, one row per sample");
    cmd->add_option("--inputs", a.inputs, "A float tensor N x C x H x W saved by torch.save, used as given, "
                                          "instead of a data set");
    cmd->add_option("--num-classes", a.numClasses, "Classes (default: from the weights)")->check(CLI::Range(2, 1000000));
    cmd->add_option("--batch-size", a.batchSize, "Evaluation batch size")->check(CLI::Range(1, 65536))->capture_default_str();
    cmd->add_option("--device", a.device, "cpu, cuda, cuda:N")->capture_default_str();
    cmd->add_option("--threads", a.threads, "LibTorch intra-op threads (0: all cores)")->check(CLI::NonNegativeNumber);
    cmd->callback([args, &exitCode] {
        const EvaluateArgs& a = *args;
        const int threads = configureThreads(a.threads);
        const c10::Device device = resolveDevice(a.device);
        PretrainedNetwork p = loadPretrained(a.arch, a.weights, a.numClasses);
        p.network->to(device);
        p.network->eval();
        std::printf("%s from %s (%s%s), %lld classes, %lld input channel%s, %s, %d thread%s\n", p.spec.arch.c_str(),
                    a.weights.c_str(), p.format.c_str(),
                    p.epoch >= 0 ? (", epoch " + std::to_string(p.epoch)).c_str() : "",
                    static_cast<long long>(p.spec.numClasses), static_cast<long long>(p.spec.inChannels),
                    p.spec.inChannels == 1 ? "" : "s", device.str().c_str(), threads, threads == 1 ? "" : "s");
        if (!a.inputs.empty())
            evaluateInputs(a, *p.network, p.spec, device);
        else
            evaluateDataset(a, *p.network, p.spec, device);
        exitCode = kOk;
    });
    (void)global;
}

void addExportWeightsCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    struct Args {
        std::string run, output;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("export-weights",
                                       "Write a run's newest checkpoint as a PyTorch state dict (torch.load, "
                                       "load_state_dict)");
    cmd->add_option("run", args->run, "Run id or name")->required();
    cmd->add_option("--output,-o", args->output, "Output file, e.g. teacher.pth")->required();
    cmd->callback([args, &global, &exitCode] {
        RunStore store(global.dbPath());
        const RunRecord r = store.resolveRun(args->run);
        const auto cp = store.latestCheckpoint(r.id);
        if (!cp)
            throw Error("run " + std::to_string(r.id) + " (" + r.name + ") has no checkpoint yet");
        const PretrainedNetwork p = loadPretrained("", cp->path);
        saveStateDict(*p.network, args->output);
        std::printf("wrote the %s weights of run %lld (%s, epoch %lld, %s) to %s\n", p.spec.arch.c_str(),
                    static_cast<long long>(r.id), r.name.c_str(), static_cast<long long>(cp->epoch),
                    toString(r.status).c_str(), args->output.c_str());
        exitCode = kOk;
    });
}

}  // namespace scns::cli
