"""imagegen-stylize's modules, one concern each:

  common     exit codes, messages, time formats, GStreamer helpers
  options    the command line
  element    imagegenremix with the user's settings, checked before a run
  schedule   prompts over time (--prompt-at, --prompts FILE)
  encoding   containers, encoders and audio copy rules, per extension
  output     OUT written under a temporary name, renamed when done
  progress   the progress line, or JSON lines
  run        one file's pipeline: decode, restyle, encode; Ctrl-C
  preview    --preview: a contact sheet of some of the full run's picks
  batch      many files: one estimate, a line per file and a total
  cli        main()
"""
