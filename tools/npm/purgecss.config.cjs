// Bootstrap without the rules no page uses: `make css` writes
// static/vendor/bootstrap/bootstrap.purged.min.css from the vendored bootstrap.min.css.
// Content: the templates, our scripts and the Python code that names classes (wtforms
// render_kw). Bootstrap's own script adds a few classes as it runs (show, collapsing…):
// they are in the safelist, with those made by joining strings (alert-{{ category }},
// bg-{{ status style }}, "alert-" + kind in the live console).
module.exports = {
  css: ["static/vendor/bootstrap/bootstrap.min.css"],
  content: [
    "templates/**/*.html",
    "static/js/**/*.js",
    "app/**/*.py",
  ],
  safelist: {
    standard: [
      /^alert-(primary|secondary|success|info|warning|danger|light|dark)$/,
      /^(bg|text-bg|text|border|btn|btn-outline|badge)-(primary|secondary|success|info|warning|danger|light|dark)$/,
      /^text-(muted|white|body)$/,
      /^was-validated$/, /^is-(in)?valid$/,
      /^(show|showing|hiding|collapse|collapsing|collapse-horizontal|fade|active|disabled)$/,
      /^(dropdown-menu|dropdown-menu-end|dropstart|dropend|dropup)$/,
    ],
    greedy: [],
  },
  keyframes: false,
  fontFace: false,
  variables: true,
  output: "static/vendor/bootstrap/bootstrap.purged.min.css",
};
