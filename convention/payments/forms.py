from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class ResolveIssueForm(FlaskForm):
    note = TextAreaField(lazy_gettext("What was done"),
                         validators=[DataRequired(message=lazy_gettext("Say what was done before marking the issue resolved.")),
                                     Length(max=2000)],
                         description=lazy_gettext(
                             "For example: refunded by hand on 3 March, or the buyer paid the difference."))
    submit = SubmitField(lazy_gettext("Mark resolved"))
