// Helper for test_store_trust: opens a run store (which migrates it, moving checkpoint files)
// and prints "done". The test kills it at random moments to check the move is crash-safe.
#include "store/run_store.h"

#include <exception>
#include <iostream>

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: store_migrate_child <database>\n";
        return 2;
    }
    try {
        scns::RunStore store(argv[1]);
        std::cout << "done" << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "store_migrate_child: " << e.what() << '\n';
        return 1;
    }
}
