"""copydesk's prompt files, shipped as package data: one Markdown file per prompt.

Each file starts with a front matter block that declares the variables its text uses:

    ---
    variables: [statement, passages, as_of]
    ---
    You check one claim against ...{statement}...

`claims.llm.load_prompt(name)` reads it (through importlib.resources, so a non-editable install works),
checks that the placeholders in the text are exactly the declared variables, and `Prompt.render` refuses a
missing or an undeclared variable. Braces that are not `{name}` placeholders (JSON examples) stay as written.
"""
