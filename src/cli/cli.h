/* cli.h: the breathe command. Parses the arguments, loads sessions, and
 * plays, renders, checks or lists them. Returns the exit status: 0 done,
 * 1 a runtime failure, 2 a usage or session error, 130 stopped by a signal. */
#ifndef BREATHE_CLI_H
#define BREATHE_CLI_H

int cli_main(int argc, char **argv);

#endif
