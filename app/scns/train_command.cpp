// `scns train` and `scns resume`.
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/errors.h"
#include "common/message_text.h"
#include "progress_printer.h"
#include "store/default_path.h"
#include "store/run_store.h"
#include "train/run_job.h"

namespace scns::cli {

std::filesystem::path GlobalOptions::dbPath() const { return db.empty() ? defaultDatabasePath() : std::filesystem::path(db); }

namespace {

struct TrainArgs {
    std::string configFile;
    std::string saveConfig;
    bool dryRun = false;
    RunConfig flags;  // values of the flags below; only those given are applied
    std::int64_t cropPadding = 0;
    bool flip = false;
    double ceWeight = 0, kdWeight = 0, crdWeight = 0;  // optional in RunConfig: stored here first
    bool noPrefetch = false;
    std::string seedText;
    std::vector<std::pair<CLI::Option*, std::function<void(RunConfig&)>>> overrides;
};

template <typename T, typename Apply>
void flag(CLI::App& cmd, TrainArgs& args, const std::string& name, T& storage, const std::string& help, Apply apply)
{
    CLI::Option* opt = cmd.add_option(name, storage, help);
    args.overrides.emplace_back(opt, [&storage, apply](RunConfig& c) { apply(c, storage); });
}

int reportResult(const RunResult& r, std::int64_t runId, const std::filesystem::path& db)
{
    switch (r.outcome) {
    case RunOutcome::Finished:
        if (r.last)
            std::printf("run %lld finished: test top-1 %.2f%%, top-5 %.2f%% after %lld epochs (database %s)\n",
                        static_cast<long long>(runId), r.last->testTop1, r.last->testTop5,
                        static_cast<long long>(r.epochsCompleted), db.c_str());
        return kOk;
    case RunOutcome::Cancelled:
        std::printf("run %lld cancelled: %s\n  continue with: scns --db %s resume %lld\n", static_cast<long long>(runId),
                    r.message.c_str(), db.c_str(), static_cast<long long>(runId));
        return kCancelled;
    case RunOutcome::Diverged:
        std::fprintf(stderr, "run %lld diverged: %s\n", static_cast<long long>(runId), r.message.c_str());
        return kRunFailed;
    case RunOutcome::Failed:
        std::fprintf(stderr, "run %lld failed: %s\n", static_cast<long long>(runId), r.message.c_str());
        return kRunFailed;
    }
    return kRunFailed;
}

int runAndReport(const std::filesystem::path& db, std::int64_t runId, const RunOptions& options)
{
    std::stop_source stop;
    ProgressPrinter printer(stop);
    const RunResult r = executeRun(db, runId, options, printer, stop.get_token());
    return reportResult(r, runId, db);
}

}  // namespace

void addTrainCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    auto args = std::make_shared<TrainArgs>();
    CLI::App* cmd = app.add_subcommand("train", "Train a network (default: small CNN on the embedded Fashion-MNIST)");
    cmd->add_option("--config,-c", args->configFile, "JSON run configuration; flags given as well override it");
    cmd->add_option("--save-config", args->saveConfig, "Write the resulting configuration to this JSON file");
    cmd->add_flag("--dry-run", args->dryRun, "Validate and print the configuration, train nothing");
    RunConfig& f = args->flags;
    TrainArgs& a = *args;
    flag(*cmd, a, "--name", f.name, "Run name", [](RunConfig& c, const std::string& v) { c.name = v; });
    flag(*cmd, a, "--dataset", f.data.dataset, "fashion-mnist | cifar10 | cifar100 | tiny-imagenet",
         [](RunConfig& c, const std::string& v) { c.data.dataset = v; });
    flag(*cmd, a, "--data-dir", f.data.folder, "Data set folder (default: the embedded Fashion-MNIST)",
         [](RunConfig& c, const std::string& v) { c.data.folder = v; });
    flag(*cmd, a, "--train-per-class", f.data.trainPerClass, "At most this many training images per class (0: all)",
         [](RunConfig& c, std::int64_t v) { c.data.trainPerClass = v; });
    flag(*cmd, a, "--test-per-class", f.data.testPerClass, "At most this many test images per class (0: all)",
         [](RunConfig& c, std::int64_t v) { c.data.testPerClass = v; });
    flag(*cmd, a, "--crop-padding", a.cropPadding, "Random-crop padding in pixels (0: no crop)",
         [](RunConfig& c, std::int64_t v) { c.data.cropPadding = v; });
    flag(*cmd, a, "--flip", a.flip, "Random horizontal flips (true/false)", [](RunConfig& c, bool v) { c.data.flip = v; });
    flag(*cmd, a, "--arch", f.arch, "Network (small-cnn, resnet20, ...)", [](RunConfig& c, const std::string& v) { c.arch = v; });
    flag(*cmd, a, "--epochs", f.epochs, "Epochs", [](RunConfig& c, std::int64_t v) { c.epochs = v; });
    flag(*cmd, a, "--batch-size", f.batchSize, "Batch size", [](RunConfig& c, std::int64_t v) { c.batchSize = v; });
    flag(*cmd, a, "--lr", f.optim.lr, "Peak learning rate", [](RunConfig& c, double v) { c.optim.lr = v; });
    flag(*cmd, a, "--momentum", f.optim.momentum, "SGD momentum", [](RunConfig& c, double v) { c.optim.momentum = v; });
    flag(*cmd, a, "--weight-decay", f.optim.weightDecay, "Weight decay",
         [](RunConfig& c, double v) { c.optim.weightDecay = v; });
    flag(*cmd, a, "--nesterov", f.optim.nesterov, "Nesterov momentum (true/false)",
         [](RunConfig& c, bool v) { c.optim.nesterov = v; });
    flag(*cmd, a, "--schedule", f.schedule.kind, "constant | multistep | cosine | onecycle",
         [](RunConfig& c, const std::string& v) { c.schedule.kind = v; });
    flag(*cmd, a, "--warmup-epochs", f.schedule.warmupEpochs, "Linear warm-up length in epochs",
         [](RunConfig& c, double v) { c.schedule.warmupEpochs = v; });
    flag(*cmd, a, "--milestones", f.schedule.milestones, "Multistep epochs, e.g. --milestones 150 180 210",
         [](RunConfig& c, const std::vector<std::int64_t>& v) { c.schedule.milestones = v; });
    flag(*cmd, a, "--gamma", f.schedule.gamma, "Multistep factor", [](RunConfig& c, double v) { c.schedule.gamma = v; });
    // Read as text: CLI11 would take "-1" for an unsigned seed as 2^64 - 1.
    flag(*cmd, a, "--seed", a.seedText, "Random seed (0 to 2^64 - 1)",
         [](RunConfig& c, const std::string& v) { c.seed = parseSeedText(v); });
    flag(*cmd, a, "--threads", f.threads, "CPU threads (0: all cores)", [](RunConfig& c, std::int64_t v) { c.threads = v; });
    flag(*cmd, a, "--device", f.device, "cpu | cuda | cuda:N", [](RunConfig& c, const std::string& v) { c.device = v; });
    // Contrastive term (CE + beta L_con). --sampler turns it on; "none" turns it off.
    ContrastiveConfig& k = f.contrastive;
    flag(*cmd, a, "--sampler", k.sampler, "Negative sampler: none | uniform | class | instance (enables the contrastive term)",
         [](RunConfig& c, const std::string& v) {
             c.contrastive.enabled = v != "none";
             if (v != "none")
                 c.contrastive.sampler = v;
         });
    flag(*cmd, a, "--objective", k.objective, "infonce | nce", [](RunConfig& c, const std::string& v) { c.contrastive.objective = v; });
    flag(*cmd, a, "--negatives", k.negatives, "K negatives per anchor", [](RunConfig& c, std::int64_t v) { c.contrastive.negatives = v; });
    flag(*cmd, a, "--tau", k.tau, "Contrastive temperature", [](RunConfig& c, double v) { c.contrastive.tau = v; });
    flag(*cmd, a, "--beta", k.beta, "Weight of the contrastive loss", [](RunConfig& c, double v) { c.contrastive.beta = v; });
    flag(*cmd, a, "--positive", k.positive, "same-class | self", [](RunConfig& c, const std::string& v) { c.contrastive.positive = v; });
    flag(*cmd, a, "--epsilon", k.epsilon, "Share of negatives drawn uniformly instead",
         [](RunConfig& c, double v) { c.contrastive.epsilon = v; });
    flag(*cmd, a, "--similarity", k.similarity, "Class similarity: wordnet | visual | confusion | file",
         [](RunConfig& c, const std::string& v) { c.contrastive.similarity = v; });
    flag(*cmd, a, "--similarity-file", k.similarityFile, "C x C CSV or word-vector file (--similarity file)",
         [](RunConfig& c, const std::string& v) { c.contrastive.similarityFile = v; });
    flag(*cmd, a, "--class-k", k.classK, "Top-k classes for the class sampler", [](RunConfig& c, std::int64_t v) { c.contrastive.classK = v; });
    flag(*cmd, a, "--class-tau", k.classTau, "Softmax temperature over the top-k classes",
         [](RunConfig& c, double v) { c.contrastive.classTau = v; });
    flag(*cmd, a, "--instance-k", k.instanceK, "Top-k samples for the instance sampler",
         [](RunConfig& c, std::int64_t v) { c.contrastive.instanceK = v; });
    flag(*cmd, a, "--instance-weighting", k.instanceWeighting, "uniform | softmax",
         [](RunConfig& c, const std::string& v) { c.contrastive.instanceWeighting = v; });
    flag(*cmd, a, "--mixup", k.mixupCount, "Latent Mixup pseudo-negatives per anchor (0: off)",
         [](RunConfig& c, std::int64_t v) { c.contrastive.mixupCount = v; });
    flag(*cmd, a, "--mixup-alpha", k.mixupAlpha, "Beta(alpha, alpha) of the mixing weight",
         [](RunConfig& c, double v) { c.contrastive.mixupAlpha = v; });
    flag(*cmd, a, "--mixup-mode", k.mixupMode, "pairs | anchor", [](RunConfig& c, const std::string& v) { c.contrastive.mixupMode = v; });
    flag(*cmd, a, "--refresh-epochs", k.refreshEpochs, "Rebuild model-based similarity / top-k table every R epochs",
         [](RunConfig& c, std::int64_t v) { c.contrastive.refreshEpochs = v; });
    flag(*cmd, a, "--reference-weights", k.referenceWeights, "Fixed reference network's weights (ours or PyTorch's)",
         [](RunConfig& c, const std::string& v) { c.contrastive.referenceWeights = v; });
    flag(*cmd, a, "--reference-arch", k.referenceArch, "Architecture of --reference-weights (default: --arch)",
         [](RunConfig& c, const std::string& v) { c.contrastive.referenceArch = v; });
    flag(*cmd, a, "--probe-anchors", k.probeAnchors, "Anchors whose negatives are recorded each epoch",
         [](RunConfig& c, std::int64_t v) { c.contrastive.probeAnchors = v; });
    // Distillation (a frozen teacher): --distill turns it on.
    DistillConfig& d = f.distill;
    flag(*cmd, a, "--distill", d.method, "none | kd | crd | crd+kd (crd: the contrastive flags configure CRD's negatives)",
         [](RunConfig& c, const std::string& v) {
             c.distill.method = v;
             if (c.distill.usesCrd())
                 c.contrastive.enabled = true;
         });
    flag(*cmd, a, "--teacher", d.teacherWeights, "Teacher weights: an SCNS checkpoint or a PyTorch file",
         [](RunConfig& c, const std::string& v) { c.distill.teacherWeights = std::filesystem::absolute(v).string(); });
    flag(*cmd, a, "--teacher-arch", d.teacherArch, "Teacher architecture (default: what an SCNS checkpoint names)",
         [](RunConfig& c, const std::string& v) { c.distill.teacherArch = v; });
    flag(*cmd, a, "--kd-temperature", d.temperature, "KD temperature T", [](RunConfig& c, double v) { c.distill.temperature = v; });
    flag(*cmd, a, "--ce-weight", a.ceWeight, "gamma: weight of cross-entropy (default by method)",
         [](RunConfig& c, double v) { c.distill.ceWeight = v; });
    flag(*cmd, a, "--kd-weight", a.kdWeight, "alpha: weight of the KD term (default by method)",
         [](RunConfig& c, double v) { c.distill.kdWeight = v; });
    flag(*cmd, a, "--crd-weight", a.crdWeight, "beta: weight of the CRD term (default by method)",
         [](RunConfig& c, double v) { c.distill.crdWeight = v; });

    CLI::Option* noPrefetch = cmd->add_flag("--no-prefetch", a.noPrefetch, "Prepare batches on the training thread");
    a.overrides.emplace_back(noPrefetch, [](RunConfig& c) { c.data.prefetch = false; });

    cmd->callback([args, &global, &exitCode] {
        RunConfig config = args->configFile.empty() ? RunConfig{} : loadRunConfig(args->configFile);
        for (auto& [opt, apply] : args->overrides)
            if (opt->count() > 0)
                apply(config);
        // Validate through the JSON path so flags and files get the same complete report.
        config = runConfigFromJson(toJson(config));
        if (!args->saveConfig.empty()) {
            std::FILE* out = std::fopen(args->saveConfig.c_str(), "w");
            if (!out)
                throw ConfigError({{"--save-config", args->saveConfig, "a writable file path"}});
            const std::string text = toJsonText(config) + "\n";
            std::fwrite(text.data(), 1, text.size(), out);
            std::fclose(out);
        }
        if (args->dryRun) {
            std::cout << toJsonText(config) << "\n";
            exitCode = kOk;
            return;
        }
        const auto db = global.dbPath();
        std::int64_t runId = 0;
        {
            RunStore store(db, StoreAccess::Write);
            runId = createRun(store, config);
        }
        std::printf("run %lld: %s (database %s)\n", static_cast<long long>(runId),
                    escapeControl(config.displayName()).c_str(), db.c_str());
        exitCode = runAndReport(db, runId, RunOptions{});
    });
}

void addResumeCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    struct ResumeArgs {
        std::string run;
        RunOptions options{true, false, false};
    };
    auto args = std::make_shared<ResumeArgs>();
    CLI::App* cmd = app.add_subcommand(
        "resume", "Continue a cancelled, interrupted, failed or diverged run from its last checkpoint (a queued run "
                  "starts; a finished run is refused; one still recorded as running needs --force)");
    cmd->add_option("run", args->run, "Run id or name")->required();
    cmd->add_flag("--from-scratch", args->options.fromScratch,
                  "Start the run over from epoch 0 when none of its checkpoints can be used (its recorded epochs are "
                  "replaced)");
    cmd->add_flag("--force", args->options.force,
                  "Take over a run recorded as running whose process is gone but cannot be checked (another host)");
    cmd->callback([args, &global, &exitCode] {
        const auto db = global.dbPath();
        std::int64_t runId = 0;
        {
            RunStore store(db, StoreAccess::Write);
            runId = store.resolveRun(args->run).id;
        }
        exitCode = runAndReport(db, runId, args->options);
    });
}

}  // namespace scns::cli
