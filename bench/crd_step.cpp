// One CRD distillation step at CIFAR-100 sizes (Tian et al. 2020; RepDistiller's defaults), ours:
// a frozen resnet32x4 teacher (eval mode, no gradient) and a resnet8x4 student, batch 64 of
// 3 x 32 x 32 images, 100 classes, N = 50,000 training samples (500 per class), CRD heads to
// d = 128, K = 16,384 uniform negatives per anchor from other classes, the NCE form (tau 0.07,
// bank momentum 0.5), loss = CE + 0.8 L_CRD, SGD (lr 0.05, momentum 0.9, weight decay 5e-4) over
// the student and both heads. bench/crd_step.py is the same step written RepDistiller's way in
// plain PyTorch; bench/gpu/check.sh runs the two side by side on a GPU.
//
// Per step: draw the batch's rows (distinct, from a fixed permutation) and their K negatives
// (scns::UniformSampler placed on the device, as the trainer does: drawn there), forward both networks under
// scns::AutocastScope (--precision), the heads and the loss in float32 (the memory banks are
// float32 and gatherDot wants one dtype), backward, optimiser step, bank update.
//   --path pieces (default): the CRD pieces as ContrastiveTerm joins them for CRD
//     (train/contrastive_banks.h: heads, banks M^S and M^T and their NceLoss; losses/crd_loss.h
//     crdNce over a CrdBatch; sampling/uniform_sampler.h), without the term's bookkeeping;
//   --path term: the whole scns::ContrastiveTerm as the trainer calls it, which also keeps the
//     sampler statistics (summed on the device) and the probe negatives.
// The random batch is made once on the device. Prints one JSON line.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/sgd.h>
#include <torch/version.h>

#include "common/choices.h"
#include "data/image_set.h"
#include "losses/crd_loss.h"
#include "losses/nce_loss.h"
#include "models/registry.h"
#include "sampling/counter_rng.h"
#include "sampling/memory_bank.h"
#include "sampling/uniform_sampler.h"
#include "train/contrastive_banks.h"
#include "train/contrastive_term.h"
#include "train/device.h"
#include "train/precision.h"
#include "train/recorder.h"

namespace {

struct Options {
    std::string device = "cpu";
    scns::Precision precision = scns::Precision::Fp32;
    std::string path = "pieces";  // pieces | term
    std::string teacher = "resnet32x4", student = "resnet8x4";
    std::int64_t batch = 64, negatives = 16384, dataSize = 50000, classes = 100, featureDim = 128;
    std::int64_t steps = 100, warmup = 30;
    double minSeconds = 0;  // > 0: keep stepping past --steps until this much time has passed
    int threads = 1;
    double tau = 0.07, momentum = 0.5, crdWeight = 0.8;
};

[[noreturn]] void usage(const char* argv0)
{
    std::fprintf(stderr,
                 "usage: %s [--device cpu|cuda|cuda:N] [--precision fp32|bf16|fp16] [--path pieces|term]\n"
                 "          [--batch-size 64] [--negatives 16384] [--n 50000] [--classes 100] [--feat-dim 128]\n"
                 "          [--steps 100] [--warmup 30] [--min-seconds 0] [--threads 1] [--teacher resnet32x4]\n"
                 "          [--student resnet8x4]\n",
                 argv0);
    std::exit(2);
}

Options parse(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc)
            usage(argv[0]);
        const std::string v = argv[++i];
        if (a == "--device") {
            o.device = v;
        } else if (a == "--precision") {
            const auto p = scns::parseChoice<scns::Precision>(v);
            if (!p)
                usage(argv[0]);
            o.precision = *p;
        } else if (a == "--path") {
            o.path = v;
        } else if (a == "--batch-size") {
            o.batch = std::atoll(v.c_str());
        } else if (a == "--negatives") {
            o.negatives = std::atoll(v.c_str());
        } else if (a == "--n") {
            o.dataSize = std::atoll(v.c_str());
        } else if (a == "--classes") {
            o.classes = std::atoll(v.c_str());
        } else if (a == "--feat-dim") {
            o.featureDim = std::atoll(v.c_str());
        } else if (a == "--steps") {
            o.steps = std::atoll(v.c_str());
        } else if (a == "--warmup") {
            o.warmup = std::atoll(v.c_str());
        } else if (a == "--min-seconds") {
            o.minSeconds = std::atof(v.c_str());
        } else if (a == "--threads") {
            o.threads = std::atoi(v.c_str());
        } else if (a == "--teacher") {
            o.teacher = v;
        } else if (a == "--student") {
            o.student = v;
        } else {
            usage(argv[0]);
        }
    }
    if (o.batch < 1 || o.negatives < 1 || o.classes < 2 || o.dataSize < o.batch || o.steps < 1 || o.warmup < 0
        || o.threads < 1 || (o.path != "pieces" && o.path != "term"))
        usage(argv[0]);
    return o;
}

double unixSeconds()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The term's recorder: the bench keeps nothing.
struct NullRecorder final : scns::RunRecorder {
    void metric(std::int64_t, std::int64_t, const std::string&, double) override {}
    void flush() override {}
    void checkpoint(std::int64_t, const std::string&) override {}
};

}  // namespace

int main(int argc, char** argv)
{
    const Options o = parse(argc, argv);
    at::set_num_threads(o.threads);
    scns::configureAllocatorForTraining();  // as scns train does
    try {
        const c10::Device device = scns::resolveDevice(o.device);
        const bool cuda = device.is_cuda();
        const auto sync = [&] {
            if (cuda)
                torch::cuda::synchronize(device.has_index() ? device.index() : -1);
        };
        torch::manual_seed(0);
        auto teacher = scns::buildNetwork({o.teacher, o.classes, 3});
        teacher->to(device);
        teacher->eval();
        for (auto& p : teacher->parameters())
            p.requires_grad_(false);
        auto student = scns::buildNetwork({o.student, o.classes, 3});
        student->to(device);
        student->train();

        // The training set's labels: 500 per class, as CIFAR-100's.
        const auto labels = torch::arange(o.dataSize, torch::kLong).remainder(o.classes);
        const auto labelsOnDevice = labels.to(device);
        const auto x = torch::randn({o.batch, 3, 32, 32}).to(device);
        // Rows of each step: consecutive slices of a fixed permutation, so distinct in a batch.
        const auto order = torch::randperm(o.dataSize, torch::kLong);
        std::int64_t cursor = 0;
        auto nextRows = [&] {
            if (cursor + o.batch > o.dataSize)
                cursor = 0;
            auto rows = order.narrow(0, cursor, o.batch).contiguous();
            cursor += o.batch;
            return rows;
        };

        const std::uint64_t seed = 0;
        NullRecorder recorder;
        std::unique_ptr<scns::ContrastiveBanks> banks;
        std::unique_ptr<scns::UniformSampler> sampler;
        std::unique_ptr<scns::ContrastiveTerm> term;
        std::vector<torch::Tensor> params = student->parameters();
        if (o.path == "pieces") {
            scns::ContrastiveBanksOptions bo;
            bo.size = o.dataSize;
            bo.backboneFeatureDim = student->featureDim();
            bo.featureDim = o.featureDim;
            bo.nce = true;
            bo.tau = o.tau;
            bo.crdFeatureDim = teacher->featureDim();
            banks = std::make_unique<scns::ContrastiveBanks>(bo, device, seed);
            sampler = std::make_unique<scns::UniformSampler>(labels, o.classes, scns::makeGenerator(seed + 1));
            sampler->place(scns::SamplerPlacement::on(device));
            for (const auto& p : banks->head()->parameters())
                params.push_back(p);
            for (const auto& p : banks->teacherHead()->parameters())
                params.push_back(p);
        } else {
            scns::ContrastiveConfig cc;
            cc.enabled = true;
            cc.objective = scns::Objective::Nce;
            cc.sampler = scns::SamplerKind::Uniform;
            cc.negatives = o.negatives;
            cc.tau = o.tau;
            cc.momentum = o.momentum;
            cc.featureDim = o.featureDim;
            cc.similarity = scns::ClassSimilaritySource::Visual;  // built only for the class sampler
            scns::ImageSet train;
            train.count = o.dataSize;
            train.channels = 3;
            train.height = train.width = 32;
            train.labels.assign(labels.data_ptr<std::int64_t>(), labels.data_ptr<std::int64_t>() + o.dataSize);
            for (std::int64_t c = 0; c < o.classes; ++c)
                train.classNames.push_back("class" + std::to_string(c));
            scns::ContrastiveTermTeacher crd;
            crd.crdFeatureDim = teacher->featureDim();
            crd.fixedReference = true;
            term = std::make_unique<scns::ContrastiveTerm>(cc, "cifar100", train, student->featureDim(), device, seed,
                                                           recorder, crd);
            term->beginEpoch(0, std::nullopt);
            for (const auto& p : term->head()->parameters())
                params.push_back(p);
            for (const auto& p : term->teacherHead()->parameters())
                params.push_back(p);
        }
        torch::optim::SGD sgd(params, torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4));
        scns::LossScaler scaler;
        const bool fp16 = o.precision == scns::Precision::Fp16;

        torch::Tensor lastLoss;
        c10::ScalarType logitsType = c10::ScalarType::Undefined;  // what autocast made of the forward pass
        auto step = [&] {
            const auto rows = nextRows();  // B int64, CPU
            const auto rowsOnDevice = rows.to(device);
            const auto y = labelsOnDevice.index_select(0, rowsOnDevice);
            sgd.zero_grad();
            scns::NetworkOutput out, teacherOut;
            torch::Tensor ce;
            {
                scns::AutocastScope autocast(device, o.precision);
                out = student->forwardAll(x);
                {
                    torch::NoGradGuard noGrad;
                    teacherOut = teacher->forwardAll(x);
                }
                ce = torch::nn::functional::cross_entropy(out.logits, y);
            }
            logitsType = out.logits.scalar_type();
            const auto fS = out.features.to(torch::kFloat);
            const auto fT = teacherOut.features.to(torch::kFloat);
            torch::Tensor crdLoss;
            if (term) {
                crdLoss = term->loss(fS, rows, labels.index_select(0, rows), fT);
            } else {
                const auto neg = sampler->sample(rows, o.negatives);
                const auto z = banks->head()->forward(fS);
                const auto zT = banks->teacherHead()->forward(fT);
                scns::CrdBatch b{
                    z,  zT, banks->bank()->state(), banks->teacherBank()->state(), rowsOnDevice, neg.indices,
                    {}, {}};
                crdLoss = scns::crdNce(b, *banks->nce(), *banks->teacherNce());
                banks->remember(rows, z.detach(), zT.detach());
            }
            const auto loss = ce + o.crdWeight * crdLoss;
            if (fp16) {
                scaler.scale(loss).backward();
                const bool finite = scaler.unscale(params);
                if (finite)
                    sgd.step();
                scaler.update(finite);
            } else {
                loss.backward();
                sgd.step();
            }
            if (term)
                term->afterStep();
            else
                banks->update(o.momentum);
            lastLoss = loss.detach();
        };

        for (std::int64_t i = 0; i < o.warmup; ++i)
            step();
        sync();
        const double firstLoss = o.warmup > 0 ? lastLoss.item<double>() : 0.0;
        const double tStart = unixSeconds();
        const auto t0 = std::chrono::steady_clock::now();
        std::int64_t steps = 0;
        for (; steps < o.steps
             || (o.minSeconds > 0
                 && std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < o.minSeconds);
             ++steps)
            step();
        sync();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double tEnd = unixSeconds();
        const double finalLoss = lastLoss.item<double>();
        std::printf(
            "{\"side\": \"scns\", \"path\": \"%s\", \"torch\": \"%s\", \"device\": \"%s\", \"precision\": \"%s\", "
            "\"teacher\": \"%s\", \"student\": \"%s\", \"batch\": %lld, \"K\": %lld, \"n_data\": %lld, "
            "\"feat_dim\": %lld, \"threads\": %d, \"warmup\": %lld, \"steps\": %lld, \"seconds\": %.4f, "
            "\"ms_per_step\": %.3f, \"images_per_second\": %.2f, \"loss_after_warmup\": %.4f, "
            "\"loss_last\": %.4f, \"skipped_steps\": %lld, \"logits_dtype\": \"%s\", \"t_start\": %.3f, "
            "\"t_end\": %.3f}\n",
            o.path.c_str(), TORCH_VERSION, device.str().c_str(), scns::toString(o.precision).c_str(), o.teacher.c_str(),
            o.student.c_str(), static_cast<long long>(o.batch), static_cast<long long>(o.negatives),
            static_cast<long long>(o.dataSize), static_cast<long long>(o.featureDim), at::get_num_threads(),
            static_cast<long long>(o.warmup), static_cast<long long>(steps), seconds,
            1000.0 * seconds / static_cast<double>(steps), static_cast<double>(o.batch * steps) / seconds, firstLoss,
            finalLoss, static_cast<long long>(scaler.skippedSteps()), c10::toString(logitsType), tStart, tEnd);
        std::fflush(stdout);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_crd_step: %s\n", e.what());
        return 1;
    }
    return 0;
}
