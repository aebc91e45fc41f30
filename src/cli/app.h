// The stedi command line: parses arguments, runs one command, prints each
// error once as "stedi: error: ..." and returns the exit code (0 success,
// 1 failure, 2 invalid usage).
#pragma once

namespace stedi::cli {

int RunApp(int argc, char** argv);

}  // namespace stedi::cli
