// scns: the headless command-line front end of SCNS Workbench. Links only core.
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "common/errors.h"
#include "train/device.h"
#include "train/run_job.h"

int main(int argc, char** argv)
{
    using namespace scns::cli;
    scns::configureAllocatorForTraining();
    CLI::App app{"SCNS Workbench: contrastive learning with semantically-conditioned negative sampling.\n"
                 "Runs are stored in an SQLite database (--db, default: $SCNS_DB or ~/.local/share/scns-workbench/runs.sqlite)."};
    app.set_version_flag("--version", std::string("scns ") + SCNS_VERSION);
    GlobalOptions global;
    app.add_option("--db", global.db, "Run database file")->envname("SCNS_DB");
    app.require_subcommand(0, 1);

    int exitCode = kOk;
    addTrainCommand(app, global, exitCode);
    addResumeCommand(app, global, exitCode);
    addDistillCommand(app, global, exitCode);
    addRunsCommand(app, global, exitCode);
    addShowCommand(app, global, exitCode);
    addExportCommand(app, global, exitCode);
    addEvaluateCommand(app, global, exitCode);
    addExportWeightsCommand(app, global, exitCode);
    addSettingsCommand(app, exitCode);
    addMergeCommand(app, global, exitCode);
    addSlurmCommand(app, global, exitCode);
    addDistWorkerCommand(app, global, exitCode);
    // Global options after the subcommand too (`scns runs --db FILE`): each subcommand takes
    // them, bound to the same storage, so they show in its --help. No envname here: $SCNS_DB
    // is read by the top-level option only, so it never overrides a --db given on the line.
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
        sub->add_option("--db", global.db, "Run database file (also accepted before the subcommand)");

    try {
        app.parse(argc, argv);
        if (app.get_subcommands().empty()) {
            std::cout << app.help();
            return kOk;
        }
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? kOk : kBadInput;
    } catch (const scns::Error& e) {
        std::cerr << "scns: " << e.what() << "\n";
        return kBadInput;
    } catch (const std::exception& e) {  // LibTorch's c10::Error too: its backtrace is not for users
        std::cerr << "scns: " << scns::oneLineMessage(e.what()) << "\n";
        return kBadInput;
    } catch (...) {
        std::cerr << "scns: unknown error\n";
        return kBadInput;
    }
    return exitCode;
}
