// `scns merge SHARD... --into DB`: the runs of shard stores (one per cluster task, see
// docs/cluster.md) imported into one store.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "common/message_text.h"
#include "store/run_store.h"

namespace scns::cli {

void addMergeCommand(CLI::App& app, const GlobalOptions& global, int& exitCode)
{
    struct MergeArgs {
        std::vector<std::string> shards;
        std::string into;
    };
    auto args = std::make_shared<MergeArgs>();
    CLI::App* cmd = app.add_subcommand(
        "merge",
        "Import the finished and stopped runs of other stores (shards) with everything they recorded; merging "
        "a shard again changes nothing");
    cmd->add_option("shards", args->shards, "Store files to import from")->required()->check(CLI::ExistingFile);
    cmd->add_option("--into", args->into, "The store to import into (default: --db, or the default store)");
    cmd->callback([args, &global, &exitCode] {
        const std::filesystem::path into = args->into.empty() ? global.dbPath() : std::filesystem::path(args->into);
        RunStore store(into, StoreAccess::Write);
        std::size_t imported = 0;
        for (const std::string& shard : args->shards) {
            const RunStore::MergeReport r = store.mergeFrom(shard);
            imported += r.imported.size();
            std::string ids;
            for (const auto& [from, to] : r.imported)
                ids += (ids.empty() ? "" : ", ") + std::to_string(from) + "->" + std::to_string(to);
            std::printf("%s: %s imported%s%s, %zu merged before", shard.c_str(),
                        counted(static_cast<long long>(r.imported.size()), "run", "runs").c_str(),
                        ids.empty() ? "" : " (", ids.empty() ? "" : (ids + ")").c_str(), r.alreadyHere.size());
            for (const std::string& why : r.notImported)
                std::printf("; not imported: %s", why.c_str());
            std::printf("\n");
        }
        std::printf("%s imported into %s\n", counted(static_cast<long long>(imported), "run", "runs").c_str(),
                    into.c_str());
        exitCode = kOk;
    });
}

}  // namespace scns::cli
