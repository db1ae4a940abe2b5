"""``GET /api/v1/diary/<student_id>?week=YYYY-MM-DD``: a pupil's diary week for mobile
clients, with the same scope as the diary page (``security.journal.scope.can_read_diary``)."""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect

from app import clock
from app.security.journal import scope as js
from app.security.scopes import current_scope
from app.services.journal import diary as diary_service


class DiaryApi(BaseApi):
    resource_name = "diary"
    allow_browser_login = True
    openapi_spec_tag = "Diary"
    method_permission_name = {"week": "get"}

    @expose("/<int:student_id>", methods=["GET"])
    @protect()
    def week(self, student_id: int):
        """A pupil's diary for one week (Monday to Sunday).
        ---
        get:
          parameters:
          - in: path
            name: student_id
            required: true
            schema: {type: integer}
          - in: query
            name: week
            description: any day of the week (YYYY-MM-DD); today's week when absent
            schema: {type: string, format: date}
          responses:
            200:
              description: the week's days with lessons, topics, homework, the pupil's
                marks, attendance and remarks
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      student_id: {type: integer}
                      week: {type: string, format: date}
                      previous_week: {type: string, format: date}
                      next_week: {type: string, format: date}
                      days:
                        type: array
                        items:
                          type: object
                          properties:
                            date: {type: string, format: date}
                            lessons:
                              type: array
                              items:
                                type: object
                                properties:
                                  id: {type: integer}
                                  date: {type: string, format: date}
                                  number: {type: integer}
                                  marks:
                                    type: array
                                    items: {$ref: '#/components/schemas/JournalMark'}
                            homework_due: {type: array, items: {type: object}}
            404:
              description: no such pupil, or not one whose diary the user reads
        """
        if not js.can_read_diary(student_id, current_scope()):
            return self.response_404()
        monday = diary_service.parse_week(request.args.get("week"), clock.today())
        days = diary_service.diary_week(student_id, monday)
        return self.response(
            200, student_id=student_id, week=monday.isoformat(),
            previous_week=(monday - dt.timedelta(days=7)).isoformat(),
            next_week=(monday + dt.timedelta(days=7)).isoformat(),
            days=[{"date": day.date.isoformat(),
                   "lessons": [x.as_json() for x in day.lessons],
                   "homework_due": [x.as_json() for x in day.due]} for day in days])
