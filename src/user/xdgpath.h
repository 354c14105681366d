/* xdgpath.h: where breathe keeps a person's own files, by the XDG Base
 * Directory rules.
 *
 * Each kind of file has its variable, and a folder under $HOME when that
 * variable is unset, empty or not an absolute path (which the rules say to
 * ignore):
 *
 *   XDGPATH_CONFIG  $XDG_CONFIG_HOME  else $HOME/.config
 *   XDGPATH_STATE   $XDG_STATE_HOME   else $HOME/.local/state
 *   XDGPATH_DATA    $XDG_DATA_HOME    else $HOME/.local/share
 *
 * breathe's files sit in a "breathe" folder there, e.g.
 * ~/.config/breathe/config. Pure: the variables' values are inputs, so the
 * callers read the environment and the tests need not. */
#ifndef BREATHE_XDGPATH_H
#define BREATHE_XDGPATH_H

typedef enum { XDGPATH_CONFIG, XDGPATH_STATE, XDGPATH_DATA } xdgpath_kind;

/* BASE/breathe/NAME, where BASE is xdg_home when it is an absolute path,
 * else home followed by the kind's folder. A new string, or NULL when
 * neither xdg_home nor home is set (or memory runs out). */
char *xdgpath_user(xdgpath_kind kind, const char *xdg_home, const char *home, const char *name);

#endif
