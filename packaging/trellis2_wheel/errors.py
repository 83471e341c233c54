"""One error type for every refusal, so each message has the same shape:
what was found, what was expected, and the command to run next."""

# Exit codes shared by every subcommand (documented in packaging/README.md).
EXIT_OK = 0
EXIT_CHECK_FAILED = 1   # a check ran and found problems (api-check, stage-wheel --strict)
EXIT_REFUSED = 2        # an input was refused (bad wheel, bad stage, bad arguments)
EXIT_INSTALL_FAILED = 3  # install failed and was rolled back: site-packages unchanged
EXIT_CANNOT_LOAD = 4    # api-check could not load a built module to list its names


class DeliveryError(Exception):
    """A refusal with a message a user can act on.

    subject: the file or directory the problem is about.
    problem: one line saying what is wrong.
    found / expected / fix: optional detail lines.
    """

    def __init__(self, subject, problem, *, found=None, expected=None, fix=None,
                 code=EXIT_REFUSED):
        super().__init__(problem)
        self.subject = str(subject)
        self.problem = problem
        self.found = found
        self.expected = expected
        self.fix = fix
        self.code = code

    def render(self):
        lines = [f"error: {self.subject}: {self.problem}"]
        for label, value in (("found", self.found), ("expected", self.expected),
                             ("next", self.fix)):
            if value:
                lines.append(f"  {label + ':':9} {value}")
        return "\n".join(lines)
