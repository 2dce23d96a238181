#ifndef GWOPS_CNCURSES_SHIM_H
#define GWOPS_CNCURSES_SHIM_H

#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <ncursesw/curses.h>

/* Macros and globals that do not import into Swift 6. */
static inline WINDOW *gw_stdscr(void) { return stdscr; }
static inline SCREEN *gw_newterm(void) { return newterm(NULL, stdout, stdin); }
static inline int gw_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int gw_a_bold(void) { return (int)A_BOLD; }
static inline int gw_a_reverse(void) { return (int)A_REVERSE; }
static inline int gw_a_underline(void) { return (int)A_UNDERLINE; }
static inline int gw_a_dim(void) { return (int)A_DIM; }
static inline int gw_a_normal(void) { return (int)A_NORMAL; }
static inline int gw_err(void) { return ERR; }
static inline int gw_ok(void) { return OK; }
static inline int gw_colors(void) { return COLORS; }
static inline int gw_color_pairs(void) { return COLOR_PAIRS; }
static inline int gw_max_y(WINDOW *w) { return getmaxy(w); }
static inline int gw_max_x(WINDOW *w) { return getmaxx(w); }
static inline int gw_key_resize(void) { return KEY_RESIZE; }
static inline int gw_key_up(void) { return KEY_UP; }
static inline int gw_key_down(void) { return KEY_DOWN; }
static inline int gw_key_left(void) { return KEY_LEFT; }
static inline int gw_key_right(void) { return KEY_RIGHT; }
static inline int gw_key_npage(void) { return KEY_NPAGE; }
static inline int gw_key_ppage(void) { return KEY_PPAGE; }
static inline int gw_key_home(void) { return KEY_HOME; }
static inline int gw_key_end(void) { return KEY_END; }
static inline int gw_key_enter(void) { return KEY_ENTER; }
static inline int gw_key_backspace(void) { return KEY_BACKSPACE; }
static inline int gw_key_btab(void) { return KEY_BTAB; }
static inline int gw_key_dc(void) { return KEY_DC; }
static inline const char *gw_codeset(void) { return nl_langinfo(CODESET); }
static inline void gw_setlocale(void) { setlocale(LC_ALL, ""); }

#endif
