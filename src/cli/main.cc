#include "cli/app.h"

int main(int argc, char** argv) { return stedi::cli::RunApp(argc, argv); }
