/* main.c: breathe, a player for guided breathing and relaxation sessions. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
