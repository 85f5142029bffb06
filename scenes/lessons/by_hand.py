"""Momentum by hand (lesson beat 5): a β and a short gradient history, worked line by line.

The library update v_{t+1} = β v_t + g_t from v_0 = 0, then θ_{t+1} = θ_t − η v_{t+1}. Every
number in the table is the engine's optimizer replaying the given gradients
(``engine.sequences.replay``); the scene only writes the substitutions out, each number flying in
from where it was given (β and θ₀ from the givens, v_t and θ_t from the row above, g_t from the
gradient history, v_{t+1} from the velocity column). Under the table a velocity strip acts each row
out (the last v shrinking to β v, g added at its tip, their sum), then a number line moves θ step by
step. Defaults: β = 0.9, g = (2, 1, −1), η = 0.1, θ_0 = 0, which give v = 2, 2.8, 1.52: the
velocity stays positive although the last gradient pushes back.
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, Dot, GrowArrow, MathTex, Transform, TransformFromCopy

from engine.sequences import replay
from scenes.kit import style
from scenes.kit.base import LessonScene, reading_ticks
from scenes.kit.fades import fade_in, fade_out
from scenes.kit.param_text import fmt_param, tex_param
from scenes.widgets.position_track import PositionTrack
from scenes.widgets.velocity_strip import VelocityStrip
from scenes.kit.params import ParamSpec, SceneSpec, beta_param, lr_param
from scenes.kit.style import Rect
from scenes.widgets.worked_table import WorkedTable, as_tex, fmt_column, paren, typeset_cells

STAGE_HEIGHT = 1.35  # under the tables: the velocity arrows (two lanes and an axis), then the positions
STAGE_GAP = 0.35     # from the tables to the stage
PUSH_LIFT = 0.1      # the gradient's arrow rides a little above the carried one it starts from
SPLIT_GAP = 0.4      # between the velocity table and a θ table under it
SPLIT_GAIN = 1.2     # split the table in two where that sets its text at least this much larger
GRADIENT = style.OPTIMIZER_COLORS["gd"]
VELOCITY = style.OPTIMIZER_COLORS["momentum"]


def colored(parts: list[tuple[str, str]]) -> MathTex:
    """A MathTex from (tex, colour) pieces, each piece its own submobject."""
    mob = MathTex(*[tex for tex, _ in parts])
    for piece, (_, color) in zip(mob, parts):
        piece.set_color(color)
    return mob.scale(style.MATH_SCALE)


class ByHand(LessonScene):
    """A worked table: v_{t+1} = β v_t + g_t and θ_{t+1} = θ_t − η v_{t+1}, one substitution per line."""

    TITLE = "Momentum by hand"
    SPEC = SceneSpec(
        name="by-hand",
        description="The momentum update worked by hand: a β and a short gradient history, v₁, v₂, v₃ line by line.",
        params=(
            beta_param(0.9),
            ParamSpec("grads", "floats", (2.0, 1.0, -1.0), "gradient history g₀, g₁, … along one axis",
                      low=-100.0, high=100.0, length=(1, 5)),
            lr_param("lr", 0.1),
            ParamSpec("theta0", "float", 0.0, "start position θ₀", low=-100.0, high=100.0),
        ),
    )

    # -- engine ----------------------------------------------------------------------------
    def compute(self) -> None:
        """The engine's optimizer on the given gradients: momentum and, for comparison, plain SGD.

        Also the screen text of every number, formatted once: inputs exactly as given, velocities
        and positions per column with as many digits as keep successive values apart.
        """
        p = self.params
        self.run = replay(p["grads"], p["beta"], lr=p["lr"], theta0=p["theta0"])
        self.plain = replay(p["grads"], 0.0, lr=p["lr"], theta0=p["theta0"])
        self.g_text = [fmt_param(g) for g in self.run.grads]
        self.v_text = ["0"] + fmt_column(self.run.velocity[1:])
        self.theta_text = [fmt_param(p["theta0"])] + fmt_column(self.run.theta)[1:]
        ends = fmt_column([self.run.theta[-1], self.plain.theta[-1]])
        self.end_text = ends if ends[0] != ends[1] or self.run.theta[-1] == self.plain.theta[-1] \
            else [self.theta_text[-1], style.fmt_short(float(self.plain.theta[-1]))]

    def default_highlights(self) -> dict[str, str]:
        return {"velocity": VELOCITY}

    # -- captions (facts from the engine) --------------------------------------------------
    def row_caption(self, t: int) -> str:
        """The caption for step t (0-based): which velocity it computes and what to notice."""
        beta, g, v = self.params["beta"], self.run.grads, self.run.velocity
        new = f"v{_sub(t + 1)} = {self.v_text[t + 1]}"
        if t == 0:
            return f"Step 1: no velocity to carry yet, so {new}: just the first gradient."
        text = (f"Step {t + 1}: {fmt_param(beta)} × {paren(self.v_text[t])} carried over, "
                f"plus g{_sub(t)} = {self.g_text[t]}: {new}.")
        if g[t] * v[t] < 0 and v[t + 1] * v[t] > 0:
            text += " The gradient pushes back, yet v keeps its sign."
        elif g[t] * v[t] < 0 and v[t + 1] * v[t] < 0:
            text += " The gradient wins: v turns around."
        elif g[t] * v[t] > 0 and abs(v[t + 1]) > abs(g[t]) and abs(v[t + 1]) > abs(v[t]):
            text += " Same direction: they add up."
        return text

    def captions(self) -> dict[str, str]:
        """Intro, one caption per step, the θ beat and the closing comparison."""
        p = self.params
        n = len(self.run.grads)
        noun = "one gradient" if n == 1 else f"{n} gradients"
        out = {
            "intro": (f"Work it by hand: β = {fmt_param(p['beta'])} and {noun} along one axis: "
                      f"{', '.join(self.g_text)}. The velocity starts at v₀ = 0."),
            "theta": (f"Then each step moves θ by −η times the new velocity, with η = {fmt_param(p['lr'])} "
                      f"from θ₀ = {self.theta_text[0]}."),
        }
        for t in range(n):
            out[f"row{t}"] = self.row_caption(t)
        end, plain = self.end_text
        if p["beta"] == 0:
            out["end"] = f"With β = 0 momentum is plain SGD: both end at θ{_sub(n)} = {end}."
        else:
            out["end"] = (f"After {style.count(n, 'step')}: θ{_sub(n)} = {end} with momentum; plain SGD, "
                          f"stepping by η × g, would be at {plain}.")
        return out

    # -- drawing ---------------------------------------------------------------------------
    def cells(self) -> tuple[list, list[list], tuple]:
        """Header and row cells and the velocity strip's lane names, typeset in one LaTeX run;
        every number from the engine run."""
        p = self.params
        g, v, th = self.g_text, self.v_text, self.theta_text
        b, lr = tex_param(p["beta"]), tex_param(p["lr"])
        text, muted = style.TEXT, style.MUTED
        header = [
            [(r"g_t", GRADIENT)],
            [(r"v_{t+1}", VELOCITY), (r"= \beta\,", muted), (r"v_t", VELOCITY), ("+", muted), (r"g_t", GRADIENT)],
            [(r"\theta_{t+1}", text), (r"= \theta_t - \eta\,", muted), (r"v_{t+1}", VELOCITY)],
        ]
        rows = []
        for t in range(len(g)):
            rows.append([
                [(f"g_{{{t}}}", GRADIENT), ("=", text), (as_tex(g[t]), GRADIENT)],
                [(f"v_{{{t + 1}}}", VELOCITY), ("=", text), (b, text), (r"\times", text),
                 (as_tex(paren(v[t])), VELOCITY), ("+", text), (as_tex(paren(g[t])), GRADIENT),
                 ("=", text), (as_tex(v[t + 1]), VELOCITY)],
                [(f"\\theta_{{{t + 1}}}", text), ("=", text), (as_tex(th[t]), text), ("-", text), (lr, text),
                 (r"\times", text), (as_tex(paren(v[t + 1])), VELOCITY), ("=", text), (as_tex(th[t + 1]), text)],
            ])
        names = [[(r"\beta\,v_t", VELOCITY), ("+", muted), (r"g_t", GRADIENT)], [(r"v_{t+1}", VELOCITY)]]
        cells = typeset_cells(header + [cell for row in rows for cell in row] + names)
        width = len(header)
        rows_out = [cells[width + i * width: width * (i + 2)] for i in range(len(rows))]
        return cells[:width], rows_out, tuple(cells[-2:])

    @staticmethod
    def table_groups(header: list, rows: list, width: float, height: float) -> tuple[list[tuple[list, list]], float]:
        """One table g | v | θ, or (where that would set the numbers much smaller: square and
        portrait frames) the θ column as a second table under the velocities; with the scale
        that fits them into ``width`` × ``height``."""
        def scale(groups: list[tuple[list, list]]) -> float:
            sizes = [WorkedTable.natural_size(head, cells) for head, cells in groups]
            stacked = sum(h for _, h in sizes) + SPLIT_GAP * (len(sizes) - 1)
            return min(1.0, width / max(w for w, _ in sizes), height / stacked)

        whole = [(header, rows)]
        split = [(header[:2], [row[:2] for row in rows]), (header[2:], [row[2:] for row in rows])]
        whole_scale, split_scale = scale(whole), scale(split)
        return (split, split_scale) if split_scale > SPLIT_GAIN * whole_scale else (whole, whole_scale)

    def construct(self) -> None:
        self.compute()
        self.title(self.TITLE)
        layout, p = self.layout, self.params
        top = layout.title.bottom - 0.1
        bottom = layout.caption.top + 0.15
        width = layout.frame.width - 2 * style.MARGIN

        # Setting: the givens, each value its own piece (the numbers fly from here into the table)
        givens = colored([(r"\beta =", style.TEXT), (tex_param(p["beta"]), style.TEXT), (r",\quad", style.TEXT),
                          (r"\eta =", style.TEXT), (tex_param(p["lr"]), style.TEXT), (r",\quad", style.TEXT),
                          (r"\theta_0 =", style.TEXT), (tex_param(p["theta0"]), style.TEXT), (r",\quad", style.TEXT),
                          (r"v_0 =", VELOCITY), ("0", VELOCITY)])
        if givens.width > width:
            givens.scale_to_fit_width(width)
        givens.move_to([0, top - givens.height / 2 - 0.05, 0]).set_z_index(style.Z_LABEL)
        beta_value, eta_value, theta0_value, v0_value = givens[1], givens[4], givens[7], givens[10]
        table_top = givens.get_bottom()[1] - 0.35
        header, rows, names = self.cells()
        # the tables leave a stage under them: the velocity arrows, then the positions
        groups, table_scale = self.table_groups(header, rows, width, table_top - bottom - STAGE_HEIGHT - STAGE_GAP)
        below = table_top
        tables: list[WorkedTable] = []
        for head, cells in groups:
            table = WorkedTable(head, cells, Rect(0, (below + bottom) / 2, width, below - bottom),
                                max_scale=table_scale)
            if tables:  # a θ table under the velocities starts where they start
                table.align_to(tables[0], LEFT)
            tables.append(table)
            below = table.get_bottom()[1] - SPLIT_GAP
        self.tables = tables
        for row in rows:  # the worked cells move in: above what stays still (cached once)
            for cell in row[1:]:
                cell.set_z_index(style.Z_PATH)
        self.add(givens)  # given up front: the first frame is the problem set
        below += SPLIT_GAP - STAGE_GAP
        stage = Rect(0, (below + bottom) / 2, min(width, 9.0), STAGE_HEIGHT)
        v, beta = self.run.velocity, p["beta"]
        strip = VelocityStrip([*v, *(beta * v)], stage, names)
        track = PositionTrack([("momentum", self.run.theta, VELOCITY), ("plain SGD", self.plain.theta, GRADIENT)],
                              stage)
        for hop in [hop for hops in track.hops for hop in hops]:
            hop.set_z_index(style.Z_PATH)  # drawn step by step: above what stays still
        self.strip, self.track = strip, track

        # Beats
        text = self.captions()
        n = len(rows)
        with self.beat(text["intro"]):  # the givens, the table's head, the gradient history, the strip
            self.play_ticks(*[fade_in(table.header, table.rule, shift=DOWN * 0.1) for table in tables], ticks=15)
            per = max(8, 45 // n)
            for row in rows:
                self.play_ticks(fade_in(row[0], shift=RIGHT * 0.2), ticks=per)
            self.play_ticks(fade_in(strip.axis), ticks=15)
        carried = strip.arrow(0.0, 0.0, 0, VELOCITY)
        pushed = strip.arrow(0.0, 0.0, 0, GRADIENT)
        total = strip.arrow(0.0, 0.0, 1, VELOCITY)
        self.add(total)
        self.arrows = (carried, pushed, total)
        for t, row in enumerate(rows):
            with self.beat(text[f"row{t}"]):
                self.velocity_row(t, row[1], row[0][2], v0_value if t == 0 else rows[t - 1][1][8],
                                  beta_value, carried, pushed, total)
        with self.beat(text["theta"]):  # the strip gives its place to the positions
            marker = Dot(track.starts[0][1].get_center(), radius=0.09, color=VELOCITY).set_z_index(style.Z_BALL)
            self.play_ticks(fade_out(strip.axis, carried, pushed, total), ticks=8)
            self.play_ticks(fade_in(track.axis, track.starts[0]), fade_in(marker), ticks=8)
            for t, row in enumerate(rows):
                self.theta_row(t, row[2], theta0_value if t == 0 else rows[t - 1][2][8], eta_value,
                               row[1][8], track.hops[0][t], marker)
        self.markers = [marker]
        with self.beat(text["end"], min_ticks=reading_ticks(text["end"]) + 15):  # plain SGD hop by hop
            plain = Dot(track.starts[1][1].get_center(), radius=0.09, color=GRADIENT).set_z_index(style.Z_BALL)
            self.play_ticks(fade_in(track.starts[1], plain), ticks=8)
            self.markers.append(plain)
            for hop in track.hops[1]:
                self.hop(hop, plain, ticks=max(8, 54 // n))

    def velocity_row(self, t: int, cell, g_source, v_source, beta_source, carried, pushed, total) -> None:
        """Row t of the velocity column, its numbers flying in from where they were given, and the
        strip acting it out: v_t moves up and shrinks to β v_t, g_t is added at its tip, v_{t+1} is
        their sum."""
        strip, beta, v = self.strip, self.params["beta"], self.run.velocity
        vt, new = float(v[t]), float(v[t + 1])
        # v_t from the row above (or v₀ from the givens); the last sum arrow moves up to the carried lane
        self.play_ticks(fade_in(cell[0], cell[1]), fade_out(carried, pushed), ticks=8)
        carried.become(total)
        total.become(strip.arrow(0.0, 0.0, 1, VELOCITY))
        self.play_ticks(TransformFromCopy(v_source, cell[4]),
                        Transform(carried, strip.arrow(0.0, vt, 0, VELOCITY)), ticks=15)
        # × β: the carried arrow shrinks to β times itself
        self.play_ticks(TransformFromCopy(beta_source, cell[2]), fade_in(cell[3]),
                        Transform(carried, strip.arrow(0.0, beta * vt, 0, VELOCITY)), ticks=18)
        # + g_t from the gradient history, drawn from the carried arrow's tip
        self.remove(pushed)
        pushed.become(strip.arrow(beta * vt, beta * vt, 0, GRADIENT, lift=PUSH_LIFT))
        self.play_ticks(TransformFromCopy(g_source, cell[6]), fade_in(cell[5]),
                        Transform(pushed, strip.arrow(beta * vt, new, 0, GRADIENT, lift=PUSH_LIFT)), ticks=18)
        # = v_{t+1}: the sum arrow from 0 to the gradient's tip
        total.become(strip.arrow(0.0, 0.0, 1, VELOCITY))
        self.play_ticks(fade_in(cell[7], cell[8]), Transform(total, strip.arrow(0.0, new, 1, VELOCITY)), ticks=15)
        self.settle(cell)

    def theta_row(self, t: int, cell, theta_source, eta_source, v_source, hop, marker) -> None:
        """Row t of the θ column: θ_t, η and the new velocity fly in; the point on the line moves
        by −η v_{t+1}."""
        self.play_ticks(fade_in(cell[0], cell[1], cell[3], cell[5]), TransformFromCopy(theta_source, cell[2]),
                        TransformFromCopy(eta_source, cell[4]), TransformFromCopy(v_source, cell[6]), ticks=15)
        self.play_ticks(fade_in(cell[7], cell[8]), ticks=4)
        self.hop(hop, marker, ticks=12)
        self.settle(cell)

    def settle(self, cell) -> None:
        """Put a finished cell back together: its pieces (flown in or faded in on their own) drawn
        as the one group the table holds."""
        members = set(cell.get_family())
        self.remove(*[mob for mob in self.mobjects if mob is not cell and set(mob.get_family()) <= members])
        self.add(cell)

    def hop(self, hop, marker, ticks: int) -> None:
        """The marker moves to the hop's dot, drawing the hop's arrow (if the hop is not empty)."""
        moves = [marker.animate.move_to(hop[-1].get_center())]
        if len(hop) == 2:
            moves.append(GrowArrow(hop[0]))
        self.play_ticks(*moves, ticks=ticks)
        self.add(hop[-1])


def _sub(number: int) -> str:
    """``number`` in Unicode subscript digits (v₁, θ₃ in captions)."""
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
