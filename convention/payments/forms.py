from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class ResolveIssueForm(FlaskForm):
    note = TextAreaField("What was done",
                         validators=[DataRequired(message="Say what was done before marking the issue resolved."),
                                     Length(max=2000)],
                         description="For example: refunded by hand on 3 March, or the buyer paid the difference.")
    submit = SubmitField("Mark resolved")
